#!/usr/bin/env python3
"""Crash safety under a booking storm (docs/internals/backup.md, "Crash safety").

A real `creneau serve` takes 16 concurrent public bookings of distinct free slots; it is killed
with SIGKILL at a random moment, restarted, killed again... On SQLite a side process checkpoints
the WAL in a loop and is killed at the same moment, so kills land during checkpoints. On
PostgreSQL the database server itself is also stopped with `pg_ctl -m immediate` mid-storm in
every other round, then started again while the storm goes on. After every round, and after a
last clean restart: every booking answered 201 is in the store exactly once, with its
confirmation e-mail in the outbox, and the store passes PRAGMA integrity_check / pg_amcheck.

Usage: storm.py sqlite|pg [--rounds N]   (env CRASH_ROUNDS; pg needs CRENEAU_TEST_PG_URL and
CRENEAU_TEST_PG_DIR, as tests/run.sh exports them)."""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import PG_BIN, ROOT, Fail, Server, Storm, Store, as_postgres, check, start_checkpointer  # noqa: E402


def pg_setup(tmp):
    url, pgdir = os.environ.get("CRENEAU_TEST_PG_URL"), os.environ.get("CRENEAU_TEST_PG_DIR")
    if not url or not pgdir:
        raise Fail("CRENEAU_TEST_PG_URL and CRENEAU_TEST_PG_DIR are not set: start the peer with "
                   "scripts/peers/pg.sh start DIR (tests/run.sh does)")
    db = f"crash_{os.getpid()}"
    admin = Store(url)
    admin.query(f"CREATE DATABASE {db}")
    # the test peer runs with synchronous_commit=off; a commit must be durable before its 201 here
    admin.query(f"ALTER DATABASE {db} SET synchronous_commit = on")
    return Store(f"postgresql://postgres@/{db}?host={pgdir}/sock"), admin, db, pgdir


def pg_crash(pgdir):
    """The database server dies at once (no checkpoint, no clean shutdown), then comes back."""
    out = subprocess.run(as_postgres([PG_BIN + "/pg_ctl", "-D", f"{pgdir}/pg", "-m", "immediate", "-w", "stop"]),
                         capture_output=True, text=True)
    check(out.returncode == 0, f"pg_ctl stop -m immediate: {out.stderr}")


def pg_start(pgdir):
    out = subprocess.run([os.path.join(ROOT, "scripts/peers/pg.sh"), "start", pgdir], capture_output=True, text=True)
    check(out.returncode == 0, f"PostgreSQL did not start again: {out.stderr}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("store", choices=["sqlite", "pg"])
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("CRASH_ROUNDS", "4")))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_SEED", str(int(time.time())))))
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="creneau-crash-")
    os.chmod(tmp, 0o755)
    admin = db = pgdir = None
    server = None
    t_start = time.time()
    print(f"crash storm on {args.store}: {args.rounds} rounds, seed {args.seed}")
    try:
        if args.store == "sqlite":
            store = Store(f"sqlite:{tmp}/store.db")
        else:
            store, admin, db, pgdir = pg_setup(tmp)
        env = store.fill()
        server = Server(store.url, f"{tmp}/server.log")
        storm = Storm(env)
        pg_kills = 0
        for r in range(1, args.rounds + 1):
            server.start()
            storm.start(server.port)
            cp = start_checkpointer(store.path) if store.kind == "sqlite" else None
            time.sleep(rnd.uniform(0.3, 1.2))
            what = "serve killed"
            if store.kind == "pg" and r % 2 == 0:
                pg_crash(pgdir)
                pg_kills += 1
                time.sleep(rnd.uniform(0.1, 0.5))
                pg_start(pgdir)
                at_restart = storm.count_201()
                time.sleep(rnd.uniform(0.5, 1.0))  # the server reconnects; bookings succeed again
                check(storm.count_201() > at_restart, f"round {r}: no booking succeeded after PostgreSQL came back")
                what = "PostgreSQL killed (immediate), restarted, then serve killed"
            before = storm.count_201()
            server.kill()  # SIGKILL
            if cp:
                cp.kill()
                cp.wait()
                what += " (during WAL checkpoints)"
            storm.stop()
            n = store.verify_acked(storm.acked, f"round {r}: ")
            ok = store.integrity()
            print(f"round {r}: {what}; {before} bookings acknowledged so far, {n} in the store; {ok}")
            check(before > 0, f"round {r}: no booking was acknowledged: {storm.statuses}")
        # a last restart: the server comes up, takes a booking, and nothing was lost
        server.start()
        storm.start(server.port)
        time.sleep(0.5)
        storm.stop()
        server.kill(15)
        n = store.verify_acked(storm.acked, "after the last restart: ")
        ok = store.integrity()
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(storm.statuses.items(), key=str))
        print(f"PASS {args.store}: {args.rounds} rounds ({pg_kills} PostgreSQL kills), "
              f"{len(storm.acked)} acknowledged bookings all present once with their e-mail, {n} in the store; "
              f"{ok}; answers {{{statuses}}}; {time.time() - t_start:.1f}s")
        return 0
    except Fail as f:
        print(f"FAIL {args.store} (seed {args.seed}): {f}")
        if server:
            print(server.tail())
        return 1
    finally:
        if server:
            server.kill()
        if admin:
            if pgdir and not os.path.exists(f"{pgdir}/pg/postmaster.pid"):
                pg_start(pgdir)
            try:
                admin.query(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            except Fail:
                pass
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
