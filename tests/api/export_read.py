#!/usr/bin/python3
"""Reads an export as the programs people use would, independently of the product's code:
Python's csv module, openpyxl (XLSX), vobject (vCard), icalendar (iCalendar), json.
Usage: export_read.py FORMAT FILE [SEPARATOR] — prints JSON:
  csv:  {"bom": bool, "rows": [[cell...]...]} (header included)
  xlsx: {"frozen": "A2", "header_bold": bool, "rows": [[cell...]], "types": [[data_type...]]}
  vcf:  {"cards": [{"fn", "family", "given", "email", "tel", "note", "uid"}]}
  ics:  {"events": [{"uid", "summary", "status", "start", "end", "sequence", "description"}]}
  json: the file parsed."""
import csv
import io
import json
import sys


def read_csv(path, sep):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    return {"bom": raw.startswith(b"\xef\xbb\xbf"), "rows": rows}


def read_xlsx(path):
    import openpyxl
    wb = openpyxl.load_workbook(path)  # formulas are kept as formulas (data_type "f")
    ws = wb.worksheets[0]
    rows, types = [], []
    for row in ws.iter_rows():
        rows.append([None if c.value is None else (c.value.isoformat() if hasattr(c.value, "isoformat") else c.value) for c in row])
        types.append([c.data_type for c in row])
    bold = all(c.font is not None and c.font.b for c in ws[1])
    return {"frozen": ws.freeze_panes, "header_bold": bold, "rows": rows, "types": types}


def read_vcf(path):
    import vobject
    cards = []
    for card in vobject.readComponents(open(path, encoding="utf-8").read()):
        def val(name):
            c = card.contents.get(name)
            return c[0].value if c else ""
        n = card.n.value if "n" in card.contents else None
        cards.append({"version": val("version"), "fn": val("fn"), "family": n.family if n else "",
                      "given": n.given if n else "", "email": val("email"), "tel": val("tel"),
                      "note": val("note"), "uid": val("uid")})
    return {"cards": cards}


def read_ics(path):
    import icalendar
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    events = []
    for ev in cal.walk("VEVENT"):
        events.append({"uid": str(ev.get("uid")), "summary": str(ev.get("summary", "")),
                       "status": str(ev.get("status", "")), "start": ev.decoded("dtstart").isoformat(),
                       "end": ev.decoded("dtend").isoformat(), "sequence": int(ev.get("sequence", 0)),
                       "description": str(ev.get("description", ""))})
    return {"events": events}


fmt, path = sys.argv[1], sys.argv[2]
if fmt == "csv":
    out = read_csv(path, sys.argv[3] if len(sys.argv) > 3 else ";")
elif fmt == "xlsx":
    out = read_xlsx(path)
elif fmt == "vcf":
    out = read_vcf(path)
elif fmt == "ics":
    out = read_ics(path)
else:
    out = json.load(open(path, encoding="utf-8"))
json.dump(out, sys.stdout, ensure_ascii=False)
