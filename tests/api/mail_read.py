#!/usr/bin/python3
"""Reads the test SMTP server's maildir as a recipient's mail program would, independently of
the product's code: Python's email package for MIME, icalendar for the calendar parts.
Usage: mail_read.py MAILDIR ADDRESS  — prints a JSON list, one object per message to ADDRESS:
  subject, from, reply_to, message_id, text (the text/plain part decoded), html (bool),
  top (content type of the message), calendar {method, uid, sequence, status, dtstart,
  organizer, attendee, summary, location} of the text/calendar alternative part, attachment
  (the same read from the attached invite.ics) and attachment_name."""
import json
import sys

import icalendar

from maildir_reader import messages_to


def read_ics(data):
    cal = icalendar.Calendar.from_ical(data)
    ev = next(iter(cal.walk("VEVENT")))
    return {
        "method": str(cal.get("METHOD")),
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE")),
        "status": str(ev.get("STATUS")),
        "dtstart": ev.decoded("DTSTART").isoformat(),
        "dtend": ev.decoded("DTEND").isoformat(),
        "organizer": str(ev.get("ORGANIZER", "")),
        "attendee": str(ev.get("ATTENDEE", "")),
        "summary": str(ev.get("SUMMARY", "")),
        "location": str(ev.get("LOCATION", "")),
    }


def main():
    out = []
    for msg in messages_to(sys.argv[1], sys.argv[2]):
        m = {
            "subject": str(msg["Subject"]),
            "from": str(msg["From"]),
            "reply_to": str(msg.get("Reply-To", "")),
            "message_id": str(msg["Message-ID"]),
            "top": msg.get_content_type(),
            "text": None,
            "html": False,
            "calendar": None,
            "attachment": None,
            "attachment_name": None,
        }
        for part in msg.walk():
            ctype = part.get_content_type()
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment":
                m["attachment_name"] = part.get_filename()
                if m["attachment_name"] and m["attachment_name"].endswith(".ics"):
                    m["attachment"] = read_ics(part.get_payload(decode=True))
            elif ctype == "text/plain":
                m["text"] = part.get_content()
            elif ctype == "text/html":
                m["html"] = True
            elif ctype == "text/calendar":
                m["calendar"] = read_ics(part.get_payload(decode=True))
                m["calendar"]["content_method"] = part.get_param("method")
        out.append(m)
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
