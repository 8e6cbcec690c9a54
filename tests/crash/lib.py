"""Shared pieces of the crash-safety and backup tests (tests/crash/): a store filled by
bench/schedule (one business, 20 staff, a range of free days), a real `creneau serve` process,
a booking storm of 16 HTTP clients that records every 201, and the checks made on the store
afterwards. Stdlib only; PostgreSQL is reached with psql."""
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("CRENEAU_BIN") or os.path.join(ROOT, "build/debug/creneau")
BUILD = os.path.dirname(BIN)
FILL = os.path.join(BUILD, "bench/schedule")
PG_BIN = "/usr/lib/postgresql/15/bin"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def as_postgres(cmd):
    return ["runuser", "-u", "postgres", "--"] + cmd if os.getuid() == 0 else cmd


class Store:
    """A store URL and the queries the checks need (sqlite3 module or psql)."""

    def __init__(self, url):
        self.url = url
        self.kind = "sqlite" if url.startswith("sqlite:") else "pg"
        self.path = url[7:] if self.kind == "sqlite" else None

    def query(self, sql):
        if self.kind == "sqlite":
            con = sqlite3.connect(self.path, timeout=30)
            try:
                return [tuple(str(v) for v in r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        out = subprocess.run(["psql", "-XAtq", "-F", "\t", self.url, "-c", sql], capture_output=True,
                             text=True, timeout=120)
        check(out.returncode == 0, f"psql failed: {out.stderr.strip()}")
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def fill(self, appointments=0):
        """A fresh business with free days to book (bench/schedule with no appointments)."""
        out = subprocess.run([FILL, self.url, str(appointments)], capture_output=True, text=True, timeout=120)
        check(out.returncode == 0, f"bench/schedule failed: {out.stderr[-2000:]}")
        env = {}
        for line in out.stdout.splitlines():
            k, _, v = line.partition("=")
            env[k] = v.strip("'")
        return env

    def integrity(self):
        """The store's own integrity check: PRAGMA integrity_check, or pg_amcheck (tables and
        every B-tree index, with the index entries checked against the heap)."""
        if self.kind == "sqlite":
            rows = self.query("PRAGMA integrity_check")
            check(rows == [("ok",)], f"integrity_check: {rows[:5]}")
            return "integrity_check ok"
        host = self.url.split("host=")[1].split("&")[0]
        db = self.url.split("@/")[1].split("?")[0]
        out = subprocess.run(as_postgres([PG_BIN + "/pg_amcheck", "-h", host, "-U", "postgres", "-d", db,
                                          "--install-missing", "--heapallindexed", "--parent-check"]),
                             capture_output=True, text=True, timeout=300)
        check(out.returncode == 0, f"pg_amcheck failed ({out.returncode}): {out.stdout[-1500:]} {out.stderr[-1500:]}")
        return "pg_amcheck ok"

    def verify_acked(self, acked, label=""):
        """Every acknowledged booking is in the store exactly once, and its confirmation e-mail
        is in the outbox. acked: {appointment public id: client e-mail}."""
        ids = set(r[0] for r in self.query("SELECT public_id FROM appointments"))
        missing = [a for a in acked if a not in ids]
        check(not missing, f"{label}{len(missing)} acknowledged bookings missing, e.g. {missing[:3]}")
        dup = self.query("SELECT c.email, count(*) FROM appointments a JOIN clients c ON c.id = a.client_id"
                         " WHERE c.email LIKE 'crash-%' GROUP BY c.email HAVING count(*) > 1")
        check(not dup, f"{label}bookings stored twice: {dup[:3]}")
        dup = self.query("SELECT public_id, count(*) FROM appointments GROUP BY public_id HAVING count(*) > 1")
        check(not dup, f"{label}appointment ids stored twice: {dup[:3]}")
        refs = {}
        for ref, rcpt in self.query("SELECT subject_ref, recipient FROM outbox WHERE kind = 'booking_confirmed'"
                                    " AND channel = 'email'"):
            refs.setdefault(ref, []).append(rcpt)
        lost = [a for a, mail in acked.items() if refs.get("appointment:" + a) != [mail]]
        check(not lost, f"{label}{len(lost)} confirmation e-mails of acknowledged bookings missing or"
              f" doubled, e.g. {[(a, refs.get('appointment:' + a)) for a in lost[:3]]}")
        return len(ids)


class Server:
    """One `creneau serve` process on the store (no job worker: the outbox rows are what count)."""

    def __init__(self, url, log_path, extra_env=None):
        self.url, self.log_path = url, log_path
        self.port = free_port()
        self.proc = None
        self.env = dict(os.environ, **(extra_env or {}))

    def start(self, timeout=15):
        self.port = free_port()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([BIN, "serve", "--store", self.url, "--listen", f"127.0.0.1:{self.port}",
                                      "--no-worker", "--log-level", "warn", "--max-per-ip", "1000",
                                      "--trusted-proxies", "127.0.0.1"],
                                     stdout=log, stderr=log, env=self.env, cwd=ROOT)
        log.close()
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise Fail(f"creneau serve exited ({self.proc.returncode}): {self.tail()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/livez")
                if c.getresponse().status == 200:
                    c.close()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise Fail(f"creneau serve did not answer /livez within {timeout}s: {self.tail()}")

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def tail(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-2000:]
        except OSError:
            return ""


class Storm:
    """16 clients booking distinct free slots (the slot numbering of bench/schedule-book.lua) over
    keep-alive connections; a client whose server died reconnects until stopped. Records the 201s:
    acked = {appointment id: client e-mail}, with the time each was received."""

    PER_DAY = 10

    def __init__(self, env, clients=16, first_slot=0):
        self.env = env
        self.staff = env["STAFF_ALL"].split()
        self.service = env["SERVICE"]
        self.book_from = int(env["BOOK_FROM"])
        self.days = int(env["BOOK_DAYS"])
        self.clients = clients
        self.next_slot = first_slot
        self.lock = threading.Lock()
        self.acked = {}
        self.acked_at = {}
        self.statuses = {}
        self.port = None
        self.stop_ev = threading.Event()
        self.threads = []

    def slot(self):
        with self.lock:
            n = self.next_slot
            self.next_slot += 1
        ns = len(self.staff)
        st = self.staff[n % ns]
        k = (n // ns) % self.PER_DAY
        open_day = n // (ns * self.PER_DAY)
        day = open_day // 6 * 7 + open_day % 6
        check(day < self.days, "the storm ran out of free slots")
        start = self.book_from + day * 86400 + 13 * 3600 + k * 1800
        return n, st, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start))

    def client(self, tid):
        conn = None
        k = 0
        while not self.stop_ev.is_set():
            n, st, start = self.slot()
            mail = f"crash-{n}@exemple.fr"
            body = json.dumps({"service": self.service, "staff": st, "start": start,
                               "client": {"first_name": "Panne", "last_name": f"R{n}", "email": mail},
                               "consent_email": True})
            k += 1
            ip = f"10.{tid + 1}.{k // 250 % 250}.{k % 250 + 1}"
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", f"/api/v1/public/{self.env['SLUG']}/appointments", body,
                             {"Content-Type": "application/json", "X-Forwarded-For": ip})
                r = conn.getresponse()
                data = r.read()
                status = r.status
            except (OSError, http.client.HTTPException):
                status = "conn"
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.02)
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 201:
                    a = json.loads(data)["appointment"]["id"]
                    self.acked[a] = mail
                    self.acked_at[a] = time.monotonic()
        if conn:
            conn.close()

    def start(self, port):
        self.port = port
        self.stop_ev.clear()
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True) for i in range(self.clients)]
        for t in self.threads:
            t.start()

    def retarget(self, port):
        self.port = port

    def stop(self):
        self.stop_ev.set()
        for t in self.threads:
            t.join(timeout=30)
        self.threads = []

    def count_201(self):
        with self.lock:
            return len(self.acked)


CHECKPOINTER = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=5, isolation_level=None)
modes = ["PASSIVE", "FULL", "RESTART", "TRUNCATE"]
i = 0
while True:
    try:
        con.execute("PRAGMA wal_checkpoint(%s)" % modes[i % 4]).fetchall()
    except sqlite3.OperationalError:
        pass
    i += 1
    time.sleep(0.002)
"""


def start_checkpointer(path):
    """A side process checkpointing the WAL in a loop (every mode, every 2 ms), so a kill lands
    during a checkpoint often: the server's own settings stay as in production."""
    return subprocess.Popen(["python3", "-c", CHECKPOINTER, path])
