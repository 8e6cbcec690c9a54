#!/usr/bin/python3
"""Reads the test SMTP server's maildir as a recipient's mail program would (Python's email
package, independent of the product's code) and lists the attachments of each message to an
address. Usage: mail_attachments.py MAILDIR ADDRESS
Prints a JSON list, one object per message: subject, text (the text/plain part decoded), and
attachments [{name, type, size, sha256}] with the SHA-256 hex of each attachment's decoded bytes."""
import hashlib
import json
import sys

from maildir_reader import messages_to


def main():
    out = []
    for msg in messages_to(sys.argv[1], sys.argv[2]):
        m = {"subject": str(msg["Subject"]), "text": None, "attachments": []}
        for part in msg.walk():
            if part.is_multipart():
                continue
            if part.get_content_disposition() == "attachment":
                data = part.get_payload(decode=True) or b""
                m["attachments"].append({
                    "name": part.get_filename(),
                    "type": part.get_content_type(),
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                })
            elif part.get_content_type() == "text/plain" and m["text"] is None:
                m["text"] = part.get_content()
        out.append(m)
    json.dump(out, sys.stdout, ensure_ascii=False)


main()
