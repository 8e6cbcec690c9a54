#!/usr/bin/python3
"""Independent reference for schedule/slots, written from the rules of docs/internals/slots.md,
not from the C code. Reads the JSON lines written by slots_prop (one case each: the input and
what the C code answered), recomputes the free starts minute by minute with zoneinfo, and
reports every difference. Exit status 1 on any mismatch.

Rules, as the reference applies them:
  - a local range [s, e) of date D covers, in real time, the span from the first instant whose
    wall time on D is >= s to just after the last instant whose wall time on D is < e (found by
    scanning every minute of the UTC window around D);
  - a business closed day or a day-off exception: nothing; a "hours" exception replaces the weekly
    ranges; "hours" and "extra" ranges are added; overlapping or touching spans are one opening;
  - starts are S + k * step seconds of an opening [S, E) (step = slot step, or the duration);
  - a start t is free when [t - before, t + duration + after) lies in [S, E), meets no busy
    interval, t >= now + notice and, with a horizon, t <= now + horizon.
"""
import json
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_walls = {}


def wall_minutes(zone_name, d):
    """[(instant, minute of day)] for every whole-minute instant whose local date is d."""
    key = (zone_name, d)
    if key not in _walls:
        zone = ZoneInfo(zone_name)
        naive = int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp())
        out = []
        for t in range(naive - 15 * 3600, naive + 39 * 3600, 60):
            w = datetime.fromtimestamp(t, zone)
            if w.date() == d:
                out.append((t, w.hour * 60 + w.minute))
        _walls[key] = out
    return _walls[key]


def parse_date(s):
    return date.fromisoformat(s)


def local_ranges(staff, d):
    cover = [x for x in staff["exceptions"] if parse_date(x["from"]) <= d <= parse_date(x["to"])]
    if any(x["kind"] == "off" for x in cover):
        return []
    ranges = [] if any(x["kind"] == "hours" for x in cover) else list(staff["week"][d.weekday()])
    for x in cover:
        ranges += x["ranges"]
    return ranges


def openings(case, staff, d):
    if d.isoformat() in case["closed"]:
        return []
    wm = wall_minutes(case["zone"], d)
    spans = []
    for s, e in local_ranges(staff, d):
        inside = [t for t, m in wm if s <= m < e]
        if inside:
            spans.append([min(inside), max(inside) + 60])
    spans.sort()
    merged = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def step_seconds(case):
    return (case["step"] or case["duration"]) * 60


def verdict(case, staff, d, t):
    """'ok' or why staff cannot take start t on date d, in the order bookings are refused."""
    before, span = case["before"] * 60, (case["duration"] + case["after"]) * 60
    if t < case["now"]:
        return "in_the_past"
    if t < case["now"] + case["notice"]:
        return "inside_notice"
    if case["horizon"] and t > case["now"] + case["horizon"]:
        return "beyond_horizon"
    home = [o for o in openings(case, staff, d) if o[0] <= t - before and t + span <= o[1]]
    if not home:
        return "outside_hours"
    if (t - home[0][0]) % step_seconds(case):
        return "off_grid"
    if any(f < t + span and g > t - before for f, g in staff["busy"]):
        return "slot_taken"
    return "ok"


def free_starts(case, d):
    """{start: staff mask} for date d."""
    out = {}
    step = step_seconds(case)
    for i, staff in enumerate(case["staff"]):
        for a, b in openings(case, staff, d):
            for t in range(a, b, step):
                if verdict(case, staff, d, t) == "ok":
                    out[t] = out.get(t, 0) | (1 << i)
    return out


def check(case):
    errors = []
    if "error" in case:
        return ["C refused a valid case: " + case["error"]]
    zone = ZoneInfo(case["zone"])
    first, last = parse_date(case["from"]), parse_date(case["to"])
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    if [x["date"] for x in case["days"]] != [d.isoformat() for d in days]:
        return ["days listed: %s" % [x["date"] for x in case["days"]]]

    def show(t):
        return datetime.fromtimestamp(t, zone).isoformat()

    for d, got_day in zip(days, case["days"]):
        got = {t: m for t, m in got_day["slots"]}
        if len(got) != len(got_day["slots"]) or [t for t, _ in got_day["slots"]] != sorted(got):
            errors.append("%s: starts not sorted or repeated" % d)
        for t in got:
            if datetime.fromtimestamp(t, zone).date() != d:
                errors.append("%s: %s listed on another day" % (d, show(t)))
        want = free_starts(case, d)
        for t in sorted(set(got) | set(want)):
            if got.get(t) != want.get(t):
                why = {
                    i: verdict(case, s, d, t) for i, s in enumerate(case["staff"]) if (got.get(t, 0) >> i) & 1
                }
                errors.append("%s: %s C mask %s, reference %s %s" % (d, show(t), got.get(t), want.get(t), why))
    for t, code in case["checks"]:
        d = datetime.fromtimestamp(t, zone).date()
        want = verdict(case, case["staff"][0], d, t)
        if code != want:
            errors.append("check %s: C %s, reference %s" % (show(t), code, want))
    return errors


def main():
    bad = 0
    total = 0
    for line in open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin:
        case = json.loads(line)
        total += 1
        errors = check(case)
        if errors:
            bad += 1
            if bad <= 5:
                print("case %s (%s, %s..%s):" % (case["id"], case["zone"], case["from"], case["to"]))
                for e in errors[:10]:
                    print("   ", e)
                if bad == 1:
                    print("    input:", line.strip()[:4000])
    print("%d cases, %d mismatching" % (total, bad))
    return 1 if bad or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
