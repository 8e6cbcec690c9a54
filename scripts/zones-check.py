#!/usr/bin/python3
"""Compare base/tz's offsets with Python's zoneinfo (both read the system tzdata).

Every 30 minutes from 2020-01-01 to 2037-12-31 (UTC), for each zone, both sides list the
instants where the offset changes on that grid; the zone agrees when the lists are equal.

  scripts/zones-check.py            a sample of zones (the normal test run; a few seconds)
  scripts/zones-check.py --all      every zone zoneinfo knows, prints the disagreements
  scripts/zones-check.py --write    --all, then rewrites src/base/tz_supported.inc with the
                                    zones that agree (the list base/tz accepts)
  scripts/zones-check.py ZONE...    only these zones

Exit status 0 when every compared zone that base/tz supports agrees and the must-have zones
are supported; 1 otherwise.
"""
import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
import zoneinfo
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INC = os.path.join(ROOT, "src", "base", "tz_supported.inc")
START = 1577836800  # 2020-01-01T00:00:00Z
END = 2145916800    # 2038-01-01T00:00:00Z
STEP = 1800
MUST = ["Europe/Paris", "America/New_York", "Asia/Kolkata"]
SAMPLE = MUST + [
    "UTC", "Australia/Sydney", "America/Santiago", "Africa/Cairo", "America/Mexico_City",
    "Pacific/Auckland", "Australia/Lord_Howe", "Pacific/Chatham", "Europe/London",
    "America/Sao_Paulo", "Asia/Tehran", "Africa/Casablanca", "Pacific/Easter",
]

# Names zoneinfo lists that are not places: the machine's own zone and tzdata internals.
NOT_ZONES = {"localtime", "posixrules", "Factory"}

DUMP_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include "base/tz_int.h"
int main(int argc, char **argv)
{
	long long start = strtoll(argv[1], NULL, 10), end = strtoll(argv[2], NULL, 10);
	long long step = strtoll(argv[3], NULL, 10);
	for (int i = 4; i < argc; i++) {
		const struct tz *z = tz_load_any(argv[i], NULL);
		if (!z) {
			printf("%s\tERR\n", argv[i]);
			continue;
		}
		int prev = -999999;
		for (long long t = start; t < end; t += step) {
			int off = tz_offset_at(z, t);
			if (off != prev)
				printf("%s\t%lld\t%d\n", argv[i], t, off);
			prev = off;
		}
	}
	return 0;
}
"""


def build_dumper(tmp):
    """Compiles the dump program with tz.c and the two base files it needs."""
    src = os.path.join(tmp, "tzdump.c")
    exe = os.path.join(tmp, "tzdump")
    with open(src, "w") as f:
        f.write(DUMP_C)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libical"], check=True,
                           capture_output=True, text=True).stdout.split()
    files = [os.path.join(ROOT, "src", "base", n) for n in ("tz.c", "xalloc.c", "err.c")]
    subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-pthread", "-I" + os.path.join(ROOT, "src"),
                    "-o", exe, src] + files + flags, check=True)
    return exe


def ours(exe, zones):
    out = subprocess.run([exe, str(START), str(END), str(STEP)] + zones, check=True,
                         capture_output=True, text=True).stdout
    res = {z: [] for z in zones}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[1] == "ERR":
            res[parts[0]] = None
        else:
            res[parts[0]].append((int(parts[1]), int(parts[2])))
    return res


def theirs(name):
    try:
        z = zoneinfo.ZoneInfo(name)
    except Exception:
        return name, None
    fromts = datetime.datetime.fromtimestamp
    changes, prev = [], None
    for t in range(START, END, STEP):
        off = int(fromts(t, z).utcoffset().total_seconds())
        if off != prev:
            changes.append((t, off))
            prev = off
    return name, changes


def first_difference(a, b):
    """The first grid instant where the two change lists give different offsets."""
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x != y:
            t = min(v[0] for v in (x, y) if v)
            return t
    return None


def offset_in_force(changes, t):
    off = None
    for at, o in changes:
        if at > t:
            break
        off = o
    return off


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def read_supported():
    try:
        with open(INC) as f:
            return {l.strip().strip(",").strip('"') for l in f if l.startswith('"')}
    except FileNotFoundError:
        return set()


def main(argv):
    ap = argparse.ArgumentParser(description="Compare base/tz with Python's zoneinfo.")
    ap.add_argument("--all", action="store_true", help="every zone zoneinfo knows")
    ap.add_argument("--write", action="store_true", help="--all, then rewrite the supported list")
    ap.add_argument("--build", metavar="DIR", help="accepted for the test runner; the check "
                    "compiles base/tz itself so it does not depend on the rest of the tree")
    ap.add_argument("zones", nargs="*")
    args = ap.parse_args(argv)
    write = args.write
    sweep = write or args.all
    named = args.zones
    zones = sorted(zoneinfo.available_timezones() - NOT_ZONES) if sweep else (named or SAMPLE)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        exe = build_dumper(tmp)
        our = {}
        for i in range(0, len(zones), 100):
            our.update(ours(exe, zones[i:i + 100]))
    with ProcessPoolExecutor(max_workers=2) as pool:
        their = dict(pool.map(theirs, zones, chunksize=8))
    agree, bad = [], []
    for z in zones:
        if our[z] is None:
            bad.append((z, "not loadable by libical"))
        elif their[z] is None:
            bad.append((z, "not loadable by zoneinfo"))
        elif our[z] != their[z]:
            t = first_difference(our[z], their[z])
            bad.append((z, "differs from %s (ours %+d, zoneinfo %+d)" % (
                iso(t), offset_in_force(our[z], t), offset_in_force(their[z], t))))
        else:
            agree.append(z)
    supported = read_supported()
    status = 0
    for z, why in bad:
        mark = "FAIL" if z in supported and not write else "skip"
        if mark == "FAIL":
            status = 1
        print("%s %s: %s" % (mark, z, why))
    for z in MUST:
        if z in zones and z not in agree:
            print("FAIL %s must agree" % z)
            status = 1
        if not write and z not in supported:
            print("FAIL %s is not in %s" % (z, os.path.relpath(INC, ROOT)))
            status = 1
    if write:
        with open(INC, "w") as f:
            f.write("/* Generated by scripts/zones-check.py --write: the zones whose offsets agree with\n"
                    " * Python's zoneinfo every 30 minutes over 2020-2037. Sorted (strcmp order). */\n")
            for z in agree:
                f.write('"%s",\n' % z)
        print("wrote %s" % os.path.relpath(INC, ROOT))
    print("zones-check: %d zones compared, %d agree, %d disagree, %.1f s" % (
        len(zones), len(agree), len(bad), time.monotonic() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
