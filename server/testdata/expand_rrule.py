"""Expands events' recurrences with python-dateutil, the RRULE reference Kith's own
expansion (cypher/events.go, over rrule-go) is held to, and prints the occurrences' starts.

    python expand_rrule.py < events.json

reads {"from": RFC 3339, "to": RFC 3339, "events": [{"id", "start" (RFC 3339), "timeZone",
"recurrence" (or null), "exceptions": [RFC 3339...]}]} and prints [[start in UTC, id]...]
for the starts in [from, to), sorted.
"""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr, rruleset


def instant(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def main():
    spec = json.load(sys.stdin)
    lo, hi = instant(spec["from"]), instant(spec["to"])
    out = []
    for ev in spec["events"]:
        zone = ZoneInfo(ev.get("timeZone") or "Europe/London")
        start = instant(ev["start"]).astimezone(zone)
        if not ev.get("recurrence"):
            starts = [start]
        else:
            rules = rruleset()
            rules.rrule(rrulestr(ev["recurrence"], dtstart=start))
            for x in ev.get("exceptions") or []:
                rules.exdate(instant(x).astimezone(zone))
            starts = rules.between(lo, hi, inc=True)
        for s in starts:
            if lo <= s < hi:
                out.append([s.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), ev["id"]])
    out.sort()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
