#!/usr/bin/env python3
"""Hostile HTTP clients against a real `creneau serve` (docs/internals/http.md, "Hostile clients").

The server runs on SQLite with the demo business. An honest client on 127.0.0.1 keeps calling
GET /livez and GET /api/v1/clients (logged in) while attackers, in separate processes and from
other loopback addresses (127.0.0.2 ... so the per-IP cap of the honest client is not the one
hit), do, one phase after another:

  idle      10 000 connections that send nothing (cut at the header deadline)
  slowloris 300 connections trickling their headers a byte at a time (cut at the deadline)
  huge      request headers of 40 KiB .. 4 MiB and 5 000 small headers (431 or a close)
  garbage   random bytes, pipelined requests followed by garbage, a 1 000-request pipeline

It asserts: every honest request is answered 200 and its p99 stays under 1 s in every phase;
the server's VmRSS stays under a generous bound and comes back after; idle and slowloris
connections are cut by the deadline; oversized headers never get a 200. It prints the figures
(p50/p99 per phase, RSS, connections) as one table.

Usage: hostile.py [BIN]   (default: $CRENEAU_BIN, else build/debug/creneau)
Attacker mode (internal): hostile.py --attack KIND PORT ARGS...
"""
import http.client
import json
import os
import random
import resource
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

IDLE_CONNS = int(os.environ.get("HOSTILE_IDLE", "10000"))
PER_IP = 50  # under the server's default per-IP cap of 64
DEADLINE_S = 4  # --header-deadline given to the server
FD_NEEDED = IDLE_CONNS + 1000
RSS_BOUND_KB = 1024 * 1024  # 1 GiB: generous; measured figures are in the docs
P99_BOUND_S = 1.0


def addr_for(i, base=2):
    """The i-th attacker connection's source address: 127.0.0.2 .. (PER_IP connections each)."""
    k = base + i // PER_IP
    return "127.0.%d.%d" % (k // 254, k % 254 + 1) if k >= 254 else "127.0.0.%d" % k


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < FD_NEEDED:
        sys.exit("hostile: the file limit's hard cap is %d, %d needed (raise it: ulimit -Hn)" % (hard, FD_NEEDED))
    want = FD_NEEDED + 2000
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


# ---- attackers (each runs in its own process: the honest client's timings stay clean) ----


def attack_idle(port, n):
    """Opens n connections that never send a byte; reports how many connected and when they
    were closed by the server."""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    socks, connected, refused = [], 0, 0
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((addr_for(i), 0))
        rc = s.connect_ex(("127.0.0.1", port))
        if rc not in (0, 115):  # EINPROGRESS
            refused += 1
            s.close()
            continue
        socks.append(s)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, i)
    open_t = {}
    closed_at = []
    deadline = time.monotonic() + DEADLINE_S * 3 + 15
    pending = len(socks)
    print(json.dumps({"event": "opened", "n": len(socks), "s": round(time.monotonic() - t0, 2)}), flush=True)
    while pending and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=0.5):
            s = key.fileobj
            if key.data not in open_t:
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    refused += 1
                    sel.unregister(s)
                    s.close()
                    pending -= 1
                    continue
                open_t[key.data] = time.monotonic()
                connected += 1
                sel.modify(s, selectors.EVENT_READ, key.data)
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed_at.append(time.monotonic() - open_t[key.data])
                sel.unregister(s)
                s.close()
                pending -= 1
    still = pending
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    closed_at.sort()
    print(json.dumps({
        "event": "done", "connected": connected, "refused": refused, "cut": len(closed_at),
        "still_open": still,
        "cut_min_s": round(closed_at[0], 2) if closed_at else None,
        "cut_max_s": round(closed_at[-1], 2) if closed_at else None,
    }), flush=True)


def attack_slowloris(port, n):
    """n connections each sending a request line and headers a byte every 0.5 s."""
    head = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((addr_for(i, base=230), 0))
        s.settimeout(2)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append([s, 0, time.monotonic(), None, b""])
    t_end = time.monotonic() + DEADLINE_S * 3 + 5
    while time.monotonic() < t_end and any(c[3] is None for c in socks):
        for c in socks:
            if c[3] is not None:
                continue
            s = c[0]
            try:
                got = s.recv(4096)
                if not got:
                    c[3] = time.monotonic() - c[2]
                    continue
                c[4] += got
            except BlockingIOError:
                pass
            except OSError:
                c[3] = time.monotonic() - c[2]
                continue
            try:
                if c[1] < len(head):
                    s.send(head[c[1]:c[1] + 1])
                    c[1] += 1
            except OSError:
                c[3] = time.monotonic() - c[2]
        time.sleep(0.5)
    cut = sorted(c[3] for c in socks if c[3] is not None)
    answered = sum(1 for c in socks if c[4].startswith(b"HTTP/1.1 200"))
    for c in socks:
        c[0].close()
    print(json.dumps({
        "event": "done", "n": n, "cut": len(cut), "answered_200": answered,
        "cut_min_s": round(cut[0], 2) if cut else None, "cut_max_s": round(cut[-1], 2) if cut else None,
        "bytes_sent_max": max(c[1] for c in socks),
    }), flush=True)


def read_all(s, limit=1 << 20, timeout=5, until=None):
    """Reads until the server closes, `timeout` seconds pass without a byte, or until(out)."""
    s.settimeout(timeout)
    out = b""
    try:
        while len(out) < limit and not (until and until(out)):
            got = s.recv(65536)
            if not got:
                break
            out += got
    except OSError:
        pass
    return out


def attack_huge(port, rounds):
    """Oversized request heads: one huge header, many small ones, a huge request line."""
    statuses = {}
    ip = 0
    for r in range(rounds):
        for kind in ("h40k", "h1m", "h4m", "many", "line"):
            if kind == "h40k":
                req = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n"
            elif kind == "h1m":
                req = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n"
            elif kind == "h4m":
                req = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (4 << 20) + b"\r\n\r\n"
            elif kind == "many":
                req = b"GET /livez HTTP/1.1\r\nHost: x\r\n" + b"".join(
                    b"X-H%d: v\r\n" % k for k in range(5000)) + b"\r\n"
            else:
                req = b"GET /livez?" + b"q" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((addr_for(ip, base=240), 0))
            ip += 1
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(req)
            except OSError:
                pass  # the server may close before it has read everything
            got = read_all(s)
            s.close()
            st = got[9:12].decode("ascii", "replace") if got.startswith(b"HTTP/1.") else "closed"
            key = kind + ":" + st
            statuses[key] = statuses.get(key, 0) + 1
    print(json.dumps({"event": "done", "statuses": statuses}), flush=True)


def attack_garbage(port, rounds):
    rnd = random.Random(12)
    outcomes = {"garbage": {}, "pipelined_then_garbage": {}, "pipeline_1000": {}}
    ip = 0

    def conn():
        nonlocal ip
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((addr_for(ip, base=250), 0))
        ip += 1
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        return s

    def note(kind, key):
        outcomes[kind][key] = outcomes[kind].get(key, 0) + 1

    for r in range(rounds):
        s = conn()
        try:
            s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20000))) + b"\r\n\r\n")
        except OSError:
            pass
        got = read_all(s)
        s.close()
        note("garbage", got[9:12].decode("ascii", "replace") if got.startswith(b"HTTP/1.") else "closed")

        s = conn()
        req = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n" * 20 + b"\x00\xff GARBAGE / HTTP/9.9\r\n\r\n" * 5
        try:
            s.sendall(req)
        except OSError:
            pass
        # 20 answers; the garbage after them is then held at most until the idle timeout
        got = read_all(s, timeout=3, until=lambda o: o.count(b"HTTP/1.1 200") >= 20)
        s.close()
        note("pipelined_then_garbage", "ok200=%d" % got.count(b"HTTP/1.1 200"))
    s = conn()
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n" * 1000)
    got = read_all(s, limit=1 << 24, timeout=10, until=lambda o: o.count(b"HTTP/1.1 200") >= 1000)
    s.close()
    note("pipeline_1000", "ok200=%d" % got.count(b"HTTP/1.1 200"))
    print(json.dumps({"event": "done", "outcomes": outcomes}), flush=True)


def attacker_main(argv):
    kind, port, arg = argv[0], int(argv[1]), int(argv[2])
    raise_fd_limit()
    {"idle": attack_idle, "slowloris": attack_slowloris, "huge": attack_huge,
     "garbage": attack_garbage}[kind](port, arg)


# ---- the honest client and the server ----


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def vmrss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class Honest:
    """Calls /livez and /api/v1/clients in turn, one new connection each time (the worst
    case for a loaded accept queue), and records (phase, path, status, seconds)."""

    def __init__(self, port, cookie):
        self.port, self.cookie = port, cookie
        self.phase = "before"
        self.samples = []
        self.rss = []
        self.stop = False
        self.pid = None

    def one(self, path):
        t = time.monotonic()
        status = 0
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            c.request("GET", path, headers={"Cookie": self.cookie})
            r = c.getresponse()
            r.read()
            status = r.status
            c.close()
        except OSError as ex:
            status = "error:%s" % ex.__class__.__name__
        self.samples.append((self.phase, path, status, time.monotonic() - t))

    def run(self):
        while not self.stop:
            self.one("/livez")
            self.one("/api/v1/clients?limit=20")
            self.rss.append((self.phase, vmrss_kb(self.pid)))
            time.sleep(0.02)


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def metric(port, name):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    body = c.getresponse().read().decode()
    c.close()
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def main():
    bin_ = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CRENEAU_BIN", "build/debug/creneau")
    raise_fd_limit()
    failures = []
    tmp = tempfile.mkdtemp(prefix="creneau-hostile-")
    store = "sqlite:%s/db" % tmp
    for cmd in (["migrate"], ["demo"]):
        subprocess.run([bin_] + cmd + ["--store", store], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    port = free_port()
    log = open(os.path.join(tmp, "server.log"), "w")
    srv = subprocess.Popen([bin_, "serve", "--store", store, "--listen", "127.0.0.1:%d" % port, "--no-worker",
                            "--log-level", "warn", "--header-deadline", str(DEADLINE_S),
                            "--max-connections", str(IDLE_CONNS + 2000), "--web-root", "web"],
                           stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/livez")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/api/v1/session",
                  body=json.dumps({"email": "gerante@salon-lea.example", "password": "Salon-Lea-2026"}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            sys.exit("hostile: log-in answered %d" % r.status)
        cookie = r.getheader("Set-Cookie").split(";")[0]
        c.close()

        honest = Honest(port, cookie)
        honest.pid = srv.pid
        th = threading.Thread(target=honest.run)
        th.start()
        time.sleep(3)
        rss0 = vmrss_kb(srv.pid)
        fig = {"rss_kb": {"before": rss0}, "attacks": {}}

        def attack(kind, arg):
            print("hostile: %s ..." % kind, file=sys.stderr, flush=True)
            honest.phase = kind
            t0 = time.monotonic()
            p = subprocess.Popen([sys.executable, __file__, "--attack", kind, str(port), str(arg)],
                                 stdout=subprocess.PIPE, text=True)
            peak_conns, peak_fds = 0, 0
            out = []
            reader = threading.Thread(target=lambda: out.extend(p.stdout))
            reader.start()
            while p.poll() is None:
                try:
                    peak_conns = max(peak_conns, metric(port, "http_connections_open") or 0)
                    peak_fds = max(peak_fds, open_fds(srv.pid))
                except OSError:
                    pass
                time.sleep(0.3)
            reader.join()
            res = [json.loads(line) for line in out if line.strip()]
            done = res[-1] if res else {"event": "missing"}
            done["server_connections_peak"] = int(peak_conns)
            done["server_fds_peak"] = peak_fds
            done["seconds"] = round(time.monotonic() - t0, 1)
            fig["attacks"][kind] = done
            if p.returncode != 0:
                failures.append("attacker %s exited %d" % (kind, p.returncode))
            return done

        d = attack("idle", IDLE_CONNS)
        if d.get("connected", 0) < IDLE_CONNS:
            failures.append("idle: only %s of %d connections were accepted" % (d.get("connected"), IDLE_CONNS))
        if d.get("still_open", 1) != 0:
            failures.append("idle: %s connections were never cut" % d.get("still_open"))
        if d["server_connections_peak"] < IDLE_CONNS * 0.9:
            failures.append("idle: the server held at most %d connections" % d["server_connections_peak"])
        if d.get("cut_max_s") is None or d["cut_max_s"] > DEADLINE_S + 3:
            failures.append("idle: the last cut came after %s s (deadline %d s)" % (d.get("cut_max_s"), DEADLINE_S))

        d = attack("slowloris", 300)
        if d.get("cut") != 300 or d.get("answered_200"):
            failures.append("slowloris: %s" % json.dumps(d))
        elif d["cut_max_s"] > DEADLINE_S + 3:
            failures.append("slowloris: the last cut came after %s s" % d["cut_max_s"])

        d = attack("huge", 20)
        for k, v in d.get("statuses", {}).items():
            if not (k.endswith(":431") or k.endswith(":414") or k.endswith(":400") or k.endswith(":closed")):
                failures.append("huge headers: %d answered %s" % (v, k))

        d = attack("garbage", 50)
        o = d.get("outcomes", {})
        for k in o.get("garbage", {}):
            if k not in ("400", "closed"):
                failures.append("garbage answered %s" % k)
        if list(o.get("pipelined_then_garbage", {})) != ["ok200=20"]:
            failures.append("20 pipelined requests then garbage: %s" % o.get("pipelined_then_garbage"))
        if list(o.get("pipeline_1000", {})) != ["ok200=1000"]:
            failures.append("a 1000-request pipeline: %s" % o.get("pipeline_1000"))

        honest.phase = "after"
        fig["rss_kb"]["peak"] = max(k for _, k in honest.rss)
        time.sleep(3)
        honest.stop = True
        th.join()
        fig["rss_kb"]["after"] = vmrss_kb(srv.pid)
        fig["server_connections_after"] = metric(port, "http_connections_open")
        fig["server_fds_after"] = open_fds(srv.pid)

        fig["honest"] = {}
        for ph in ("before", "idle", "slowloris", "huge", "garbage", "after"):
            for path in ("/livez", "/api/v1/clients?limit=20"):
                xs = [s for s in honest.samples if s[0] == ph and s[1] == path]
                bad = [s for s in xs if s[2] != 200]
                lat = [s[3] for s in xs]
                fig["honest"]["%s %s" % (ph, path)] = {
                    "n": len(xs), "failed": len(bad),
                    "p50_ms": round(pct(lat, 50) * 1000, 2), "p99_ms": round(pct(lat, 99) * 1000, 2),
                    "max_ms": round(max(lat) * 1000, 2) if lat else None}
                if not xs:
                    failures.append("honest %s %s: no request made" % (ph, path))
                if bad:
                    failures.append("honest %s %s: %d failed (%s)" % (ph, path, len(bad), bad[0][2]))
                if xs and pct(lat, 99) > P99_BOUND_S:
                    failures.append("honest %s %s: p99 %.0f ms" % (ph, path, pct(lat, 99) * 1000))
        if fig["rss_kb"]["peak"] > rss0 + RSS_BOUND_KB:
            failures.append("VmRSS peaked at %d kB (from %d kB)" % (fig["rss_kb"]["peak"], rss0))
        if fig["rss_kb"]["after"] > rss0 + 256 * 1024:
            failures.append("VmRSS did not come back: %d kB after, %d kB before" % (fig["rss_kb"]["after"], rss0))
        if fig["server_connections_after"] and fig["server_connections_after"] > 5:
            failures.append("%d connections still open after the attacks" % fig["server_connections_after"])
        if srv.poll() is not None:
            failures.append("the server exited with %s" % srv.returncode)
        print(json.dumps(fig, indent=1))
    finally:
        if srv.poll() is None:
            srv.send_signal(signal.SIGTERM)
            try:
                srv.wait(40)
            except subprocess.TimeoutExpired:
                srv.kill()
        log.close()
    if srv.returncode not in (0, -signal.SIGTERM):
        failures.append("the server stopped with %s" % srv.returncode)
    if failures:
        print("server log (tail):")
        with open(os.path.join(tmp, "server.log")) as f:
            print("".join(f.readlines()[-20:]))
        for f in failures:
            print("FAIL " + f)
        print("[  FAILED  ] hostile: %d problem(s)" % len(failures))
        return 1
    subprocess.run(["rm", "-rf", tmp])
    print("[  PASSED  ] hostile: every honest request answered, memory bounded, attackers cut")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--attack":
        attacker_main(sys.argv[2:])
    else:
        sys.exit(main())
