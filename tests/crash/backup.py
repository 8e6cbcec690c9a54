#!/usr/bin/env python3
"""Backups and restores on SQLite (docs/operations.md "Backups", docs/internals/backup.md).

1. `creneau backup DIR` runs while a 16-client booking storm goes on; the copy holds every booking
   acknowledged before the backup started (with its confirmation e-mail), passes
   integrity_check, and the server kept answering 201s during the copy.
2. After the backup an owner deletes their account and another owner erases a client; then
   `creneau restore` of that backup: the account is deleted again (purged, its page answers 410),
   the client erased again, the acknowledged bookings are there, and `creneau serve` starts on
   the restored store and takes bookings.
3. Refused: a file that is not SQLite, a SQLite file that is not a Créneau store, a store from a
   newer schema — and the store is left as it was.
4. `creneau backup --prune DIR` removes only backups older than 35 days (mtimes set here).
Usage: backup.py"""
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import BIN, ROOT, Fail, Server, Storm, Store, check  # noqa: E402


def creneau(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def http_call(port, method, path, cookie, body=None):
    headers = {"Cookie": cookie}
    if method != "GET":  # the session's CSRF token, from GET /api/v1/me
        st, me = http_call(port, "GET", "/api/v1/me", cookie)
        check(st == 200, f"GET /api/v1/me: {st} {me[:200]}")
        headers["X-CSRF-Token"] = json.loads(me)["csrf_token"]
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def refused(file, store, words):
    out = creneau("restore", file, "--store", store.url)
    check(out.returncode != 0 and words in out.stderr,
          f"restore of {os.path.basename(file)} was not refused with \"{words}\": {out.returncode} {out.stderr}")


def main():
    tmp = tempfile.mkdtemp(prefix="creneau-backup-")
    server = None
    t_start = time.time()
    try:
        store = Store(f"sqlite:{tmp}/store.db")
        a = store.fill(30000)  # a store of some size: the copy takes many steps
        time.sleep(1.1)  # bench/schedule names its owner after the second
        b = store.fill()
        check(a["SLUG"] != b["SLUG"], "two businesses expected")
        server = Server(store.url, f"{tmp}/server.log")
        server.start()

        # 1. a backup under load
        storm = Storm(a)
        storm.start(server.port)
        time.sleep(1.0)
        with storm.lock:
            before = dict(storm.acked)
        os.makedirs(f"{tmp}/backups")
        t0 = time.monotonic()
        out = creneau("backup", f"{tmp}/backups", "--store", store.url)
        t1 = time.monotonic()
        time.sleep(0.3)
        storm.stop()
        check(out.returncode == 0, f"creneau backup failed: {out.stderr}")
        files = os.listdir(f"{tmp}/backups")
        check(len(files) == 1 and files[0].startswith("creneau-") and files[0].endswith(".db"), f"backup files: {files}")
        bfile = f"{tmp}/backups/{files[0]}"
        during = sum(1 for k, at in storm.acked_at.items() if t0 <= at <= t1)
        copy = Store(f"sqlite:{bfile}")
        copy.integrity()
        n = copy.verify_acked(before, "in the backup: ")
        check(before, "no booking acknowledged before the backup")
        print(f"backup under load: {(t1 - t0) * 1000:.0f} ms, {len(before)} bookings acknowledged before it all in"
              f" the copy ({n} appointments there), {during} bookings acknowledged while it ran; {out.stdout.strip()}")
        check(during > 0, "the server answered no booking while the backup ran")

        # 2. deletions after the backup
        aid = next(iter(before))
        cid = store.query(f"SELECT c.public_id FROM clients c JOIN appointments p ON p.client_id = c.id"
                          f" WHERE p.public_id = '{aid}'")[0][0]
        st, data = http_call(server.port, "DELETE", f"/api/v1/clients/{cid}", a["COOKIE"])
        check(st == 204, f"client erasure: {st} {data[:300]}")
        st, data = http_call(server.port, "POST", "/api/v1/account/deletion", b["COOKIE"],
                             {"password": b["PASSWORD"], "confirmation": "SUPPRIMER"})
        check(st == 202, f"account deletion: {st} {data[:300]}")
        server.kill(15)
        ledger = open(f"{tmp}/store.db.deletions").read()
        check(ledger.count("\n") == 2 and " account " in ledger and " client " in ledger, f"ledger: {ledger!r}")

        # 3. refusals leave the store alone
        open(f"{tmp}/notes.txt", "w").write("pas une sauvegarde\n")
        refused(f"{tmp}/notes.txt", store, "not a Créneau store")
        con = sqlite3.connect(f"{tmp}/other.db")
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
        refused(f"{tmp}/other.db", store, "not a Créneau store")
        shutil.copy(bfile, f"{tmp}/newer.db")
        con = sqlite3.connect(f"{tmp}/newer.db")
        con.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future', 'x', 0)")
        con.commit()
        con.close()
        refused(f"{tmp}/newer.db", store, "newer Créneau")
        check(store.query(f"SELECT state FROM accounts WHERE slug = '{b['SLUG']}'") == [("deleting",)],
              "a refused restore changed the store")
        print("refused: a text file, a SQLite file without Créneau's schema, a store from a newer schema")

        # 4. the restore
        out = creneau("restore", bfile, "--store", store.url)
        check(out.returncode == 0, f"creneau restore failed: {out.stderr}")
        check("1 accounts deleted again, 1 clients erased again" in out.stdout, f"restore said: {out.stdout}")
        store.integrity()
        store.verify_acked(before, "after the restore: ")
        bid = b["EMAIL"]
        rows = store.query("SELECT a.state, a.name FROM accounts a JOIN account_deletions d ON d.account_id = a.id")
        check(rows == [("deleted", "")], f"the account deleted after the backup is back: {rows}")
        check(not store.query(f"SELECT 1 FROM users WHERE email = '{bid}'"), "the deleted owner's user is back")
        rows = store.query(f"SELECT email, first_name, anonymised_at IS NOT NULL FROM clients WHERE public_id = '{cid}'")
        check(rows == [("", "", "1")], f"the client erased after the backup is back: {rows}")
        server.start()
        st, _ = http_call(server.port, "GET", f"/api/v1/public/{b['SLUG']}", "")
        check(st == 410, f"the deleted business's page answers {st}, not 410")
        storm2 = Storm(a, clients=4, first_slot=storm.next_slot + 100)
        storm2.start(server.port)
        time.sleep(0.5)
        storm2.stop()
        check(storm2.count_201() > 0, f"no booking on the restored store: {storm2.statuses}")
        server.kill(15)
        store.verify_acked({**before, **storm2.acked}, "after serving the restored store: ")
        print(f"restore: {out.stdout.strip()}; the deleted account stays deleted, the erased client stays erased,"
              f" and the restored store serves ({storm2.count_201()} new bookings)")

        # 5. prune
        pdir = f"{tmp}/prune"
        os.makedirs(pdir)
        now = time.time()
        ages = {"creneau-old.db": 36, "creneau-recent.db": 34, "creneau-new.db": 0, "notes-old.txt": 100}
        for name, days in ages.items():
            open(f"{pdir}/{name}", "w").write("x")
            os.utime(f"{pdir}/{name}", (now - days * 86400, now - days * 86400))
        out = creneau("backup", "--prune", pdir)
        left = sorted(os.listdir(pdir))
        check(out.returncode == 0 and left == ["creneau-new.db", "creneau-recent.db", "notes-old.txt"],
              f"prune left {left}: {out.stdout} {out.stderr}")
        out = creneau("backup", "--prune", "--keep-days", "30", pdir)
        left = sorted(os.listdir(pdir))
        check(out.returncode == 0 and left == ["creneau-new.db", "notes-old.txt"], f"prune --keep-days 30 left {left}")
        print("prune: only backups older than 35 days (then 30) removed, other files untouched")
        print(f"PASS backup and restore ({time.time() - t_start:.1f}s)")
        return 0
    except Fail as f:
        print(f"FAIL: {f}")
        if server:
            print(server.tail())
        return 1
    finally:
        if server:
            server.kill()
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
