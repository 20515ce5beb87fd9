"""Reads a Kith calendar feed with Python's icalendar, and expands its recurrences with
recurring-ical-events, and prints what it holds as JSON:

    python read_ics.py FILE FROM TO

{"name", "prodid", "version", "timezones": [TZID...], "events": [{"uid", "summary",
"location", "description", "tzid", "rrule", "exdates", "attendees", "organizer"}],
"occurrences": [[start in UTC, uid]...] for the starts in [FROM, TO), sorted}.
"""
import json
import sys
from datetime import datetime, timezone

import icalendar
import recurring_ical_events


def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def main():
    path, lo, hi = sys.argv[1], instant(sys.argv[2]), instant(sys.argv[3])
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    out = {
        "name": str(cal.get("X-WR-CALNAME", "")),
        "prodid": str(cal.get("PRODID", "")),
        "version": str(cal.get("VERSION", "")),
        "timezones": [str(tz.get("TZID")) for tz in cal.walk("VTIMEZONE")],
        "events": [],
        "occurrences": [],
    }
    for ev in cal.walk("VEVENT"):
        start = ev.get("DTSTART")
        exdates = ev.get("EXDATE")
        if exdates is None:
            exdates = []
        elif not isinstance(exdates, list):
            exdates = [exdates]
        out["events"].append({
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY", "")),
            "location": str(ev.get("LOCATION", "")),
            "description": str(ev.get("DESCRIPTION", "")),
            "tzid": start.params.get("TZID", "") if start is not None else "",
            "rrule": ev.get("RRULE").to_ical().decode() if ev.get("RRULE") else "",
            "exdates": sum(len(x.dts) for x in exdates),
            "attendees": len(ev.get("ATTENDEE", [])) if isinstance(ev.get("ATTENDEE"), list) else (1 if ev.get("ATTENDEE") else 0),
            "organizer": str(ev.get("ORGANIZER", "")),
        })
    for occ in recurring_ical_events.of(cal).between(lo, hi):
        s = occ.get("DTSTART").dt
        if not isinstance(s, datetime):
            continue
        s = s.astimezone(timezone.utc)
        if lo <= s < hi:
            out["occurrences"].append([s.strftime("%Y-%m-%dT%H:%M:%SZ"), str(occ.get("UID"))])
    out["occurrences"].sort()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
