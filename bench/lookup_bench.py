#!/usr/bin/env python3
"""make bench: hotline's lookup against redis GET, same run, same machine.

    python3 bench/lookup_bench.py BUILD [ROWS] [SECONDS]
    RUNS=N  repeats each measurement N times (alternating) and reports medians

hotline: build/bench/lookup_load against a real hotlined holding ROWS
generated rows; each lookup is phone + birthdate from the list (about half
of them shifted by one day, so misses), SPEC §5 normalization, a keyed
hash, an affected.db read, the notice text and one inquiry committed to
hotline.db before the reply leaves. 50 connections, one request in flight
each, then one connection alone for the latency of a quiet daemon.
baseline: redis-benchmark GET at 50 connections against a local
redis-server: the cost of a trivial request/reply over loopback TCP.

Servers (hotlined with its threads, redis-server) are pinned to the last
CPU and clients (lookup_load, redis-benchmark) to the first with taskset,
so that each pair is measured alike on a 2-core machine; the CPU each
side used is printed beside the rates, and per request for the servers.
hotlined's loop stall probe (hotline_loop_lag_seconds) gives the longest
stall of each run.
"""
import csv
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENT = "bench"
TOKEN = "bench-token-0123456789abcdef"
PEOPLE_MAX = 20000
CONNS = 50
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
REDIS_REQUESTS = {CONNS: 200000, 1: 20000}
CLK_TCK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def pinned(cmd, server):
    """cmd on the servers' CPU (the last) or the clients' (the first)."""
    if NCPU < 2 or not shutil.which("taskset"):
        return cmd
    return ["taskset", "-c", str(NCPU - 1 if server else 0)] + cmd

ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018,
        "M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}


def free_port():
    """A port that was free a moment ago (the servers need one up front)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_s(pid):
    """User + system CPU seconds of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def parse_birthdate(text):
    """The forms `hotlinectl gen` writes, as a date; None for others."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
    if m is None:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is not None:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(明治|大正|昭和|平成|令和)(元|\d+)年(\d+)月(\d+)日"
                         r"|([MTSHR])(\d+)\.(\d+)\.(\d+)", text)
        if m is None:
            return None
        g = [x for x in m.groups() if x is not None]
        era, ey, mo, d = g[0], g[1], int(g[2]), int(g[3])
        y = ERAS[era] + (1 if ey == "元" else int(ey))
    try:
        return datetime.date(y, mo, d)
    except ValueError:
        return None


def write_people(lst, out):
    """phone<TAB>birthdate for up to PEOPLE_MAX listed people with a
    phone; every other one a day off, so about half the lookups miss.
    Phones stay as the list wrote them (hyphens, full-width digits):
    normalizing them is part of the work measured."""
    n = hits = 0
    with open(lst, newline="", encoding="utf-8") as f, \
            open(out, "w", encoding="utf-8") as o:
        r = csv.reader(f)
        next(r)
        for row in r:
            if len(row) < 6 or not row[3].strip():
                continue
            d = parse_birthdate(row[5])
            if d is None:
                continue
            if n % 2 == 0:
                hits += 1
            else:
                d += datetime.timedelta(days=1)
            o.write(f"{row[3]}\t{d.isoformat()}\n")
            n += 1
            if n == PEOPLE_MAX:
                break
    return n, hits


def conf_text(port, data_dir, audit=True):
    token_sha = hashlib.sha256(TOKEN.encode()).hexdigest()
    return "\n".join([
        # One client makes every lookup: no rate limit, no alert.
        "rate = { lookups_per_s = 0; };",
        "alerts = { threshold = 100000000; };",
        f"audit = {{ enabled = {'true' if audit else 'false'}; }};",
        f'listen = {{ address = "127.0.0.1"; port = {port}; }};',
        f'data_dir = "{data_dir}";',
        f'prompts_dir = "{os.path.join(TOP, "prompts")}";',
        # info logs a line per lookup; that would be the benchmark.
        'log = { level = "warn"; target = "stderr"; };',
        "limits = { idle_timeout_s = 600; max_connections = 20000; };",
        'hours = { open = "00:00"; close = "24:00"; '
        'time_zone = "Asia/Tokyo"; };',
        f'clients = ( {{ name = "{CLIENT}"; role = "gateway"; '
        f'token_sha256 = "{token_sha}"; }} );',
    ]) + "\n"


class Daemon:
    """hotlined with its stderr in a log file (as tests/integration)."""

    def __init__(self, build, conf, port, log_path):
        self.log_path = log_path
        self.logf = open(log_path, "ab")
        self.proc = subprocess.Popen(
            pinned([os.path.join(build, "hotlined"), "-c", conf], True),
            stdout=self.logf, stderr=self.logf)
        self.port = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and self.proc.poll() is None:
            # At log level warn the "listening on" line is not written,
            # so the port is the one in the conf, and we wait until it
            # accepts; the line is still honoured if it is there.
            m = re.search(r"listening on \S+ port (\d+)", self.log())
            if m:
                self.port = int(m.group(1))
                break
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                self.port = port
                break
            except OSError:
                time.sleep(0.05)
        if self.port is None:
            self.kill()
            sys.exit("hotlined did not start:\n" + self.log()[-4000:])

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM; the exit status must be 0."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            sys.exit("hotlined did not stop on SIGTERM:\n" +
                     self.log()[-4000:])
        self.logf.close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if not self.logf.closed:
            self.logf.close()


def run_load(build, daemon, people, conns, seconds):
    """One lookup_load run: its JSON report plus the CPU seconds used by
    the client and by hotlined, and the wall time."""
    cmd = pinned([os.path.join(build, "bench", "lookup_load"),
                  "-p", str(daemon.port), "-c", str(conns), "-d",
                  str(seconds), "-P", "1", "-C", CLIENT, "-T", TOKEN, "-f",
                  people], False)
    d0 = cpu_s(daemon.proc.pid)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    if p.returncode != 0 or not out.strip():
        st = daemon.proc.poll()
        why = "" if st is None else \
            f"; hotlined exited during the run, status {st}"
        sys.exit(f"lookup_load -c {conns} failed (exit {p.returncode})"
                 f"{why}; hotlined's log ends:\n{daemon.log()[-3000:]}")
    r = json.loads(out)
    r["client_cpu"] = (ru.ru_utime + ru.ru_stime) / wall
    r["server_cpu"] = (cpu_s(daemon.proc.pid) - d0) / wall
    r["server_us"] = r["server_cpu"] * 1e6 / r["rps"] if r["rps"] else None
    if r["errors"]:
        print(f"  warning: {r['errors']} error replies at {conns} "
              f"connections (see the hotlined log)")
    return r


def redis_available():
    return shutil.which("redis-server") and shutil.which("redis-benchmark") \
        and shutil.which("redis-cli")


def run_redis(tmp, conns):
    """redis-benchmark GET at conns connections against a fresh
    redis-server: requests per second, p50 in µs (if printed), and the
    CPU of each side."""
    port = free_port()
    log = open(os.path.join(tmp, "redis.log"), "wb")
    srv = subprocess.Popen(pinned(["redis-server", "--port", str(port),
                                   "--save", "", "--appendonly", "no",
                                   "--daemonize", "no", "--dir", tmp],
                                  True), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            p = subprocess.run(["redis-cli", "-p", str(port), "ping"],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
            if p.stdout.strip() == "PONG":
                break
            if srv.poll() is not None or time.monotonic() > deadline:
                sys.exit("redis-server did not start; see its log")
            time.sleep(0.05)
        d0 = cpu_s(srv.pid)
        t0 = time.monotonic()
        b = subprocess.Popen(pinned(["redis-benchmark", "-p", str(port),
                                     "-t", "get", "-c", str(conns), "-n",
                                     str(REDIS_REQUESTS[conns]), "-q"],
                                    False),
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        out = b.stdout.read()
        _, status, ru = os.wait4(b.pid, 0)
        b.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        server_cpu = (cpu_s(srv.pid) - d0) / wall
    finally:
        srv.terminate()
        srv.wait(STOP_TIMEOUT_S)
        log.close()
    # -q prints progress with CRs, then e.g. "GET: 98765.43 requests per
    # second, p50=0.263 msec" (the p50 only in newer versions).
    rps = p50 = None
    for line in re.split(r"[\r\n]+", out):
        m = re.search(r"GET:\s*([\d.,]+)\s*requests per second", line)
        if m:
            rps = float(m.group(1).replace(",", ""))
            m = re.search(r"p50\s*=\s*([\d.]+)\s*msec", line)
            p50 = float(m.group(1)) * 1000 if m else None
    if b.returncode != 0 or rps is None:
        sys.exit("redis-benchmark failed:\n" + out[-2000:])
    return {"rps": rps, "p50_us": p50,
            "client_cpu": (ru.ru_utime + ru.ru_stime) / wall,
            "server_cpu": server_cpu,
            "server_us": server_cpu * 1e6 / rps}


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{os.cpu_count()} CPUs ({model}), "
            f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def med(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def audit_cost(build, tmp, people, seconds, runs):
    """Lookups at 50 connections with the audit log and without it
    (audit.enabled = false, for this measurement only), alternating, on
    the same data: what an audit entry in the inquiry's transaction costs."""
    on, off = [], []
    conf = os.path.join(tmp, "hotline.conf")
    for i in range(runs):
        order = [True, False] if i % 2 == 0 else [False, True]
        for audit in order:
            port = free_port()
            with open(conf, "w", encoding="utf-8") as f:
                f.write(conf_text(port, os.path.join(tmp, "data"), audit))
            d = Daemon(build, conf, port, os.path.join(
                tmp, f"audit-{i}-{'on' if audit else 'off'}.log"))
            try:
                r = run_load(build, d, people, CONNS, seconds)
            finally:
                if d.stop() != 0:
                    sys.exit("hotlined exited non-zero")
            (on if audit else off).append(r)
            print(f"  audit {'on ' if audit else 'off'}        run {i + 1}: "
                  f"{r['rps']:10,.0f} req/s at {CONNS} conn  p50 "
                  f"{r['p50_us']} us, p99 {r['p99_us']} us")
    print(f"median with the audit log {med(on, 'rps'):,.0f} lookups/s, "
          f"without {med(off, 'rps'):,.0f}: the audit costs "
          f"{100 * (1 - med(on, 'rps') / med(off, 'rps')):.1f}% "
          f"(p99 {med(on, 'p99_us'):.0f} us against "
          f"{med(off, 'p99_us'):.0f} us)")


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10
    runs = int(os.environ.get("RUNS", "1"))
    build = os.path.abspath(build)
    ctl = os.path.join(build, "hotlinectl")
    tmp = tempfile.mkdtemp(prefix="hotline-bench-")
    daemon = None
    try:
        print(f"lookup: {machine()}")
        orgs = os.path.join(tmp, "orgs.csv")
        lst = os.path.join(tmp, "list.csv")
        subprocess.run([ctl, "gen", "--rows", str(rows), "--seed", "42",
                        "--orgs-out", orgs, "--list-out", lst], check=True)
        port = free_port()
        conf = os.path.join(tmp, "hotline.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(conf_text(port, os.path.join(tmp, "data")))
        subprocess.run([ctl, "init", "-c", conf], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([ctl, "import", "-q", "-c", conf, "--orgs", orgs,
                        lst], check=True, stdout=subprocess.DEVNULL)
        people = os.path.join(tmp, "people.tsv")
        npeople, hits = write_people(lst, people)
        print(f"{rows} rows imported; {npeople} people to look up, "
              f"{hits} as listed, {npeople - hits} a day off; "
              f"{seconds:g} s per run, {runs} run(s) each")

        daemon = Daemon(build, conf, port, os.path.join(tmp, "hotlined.log"))
        have_redis = redis_available()
        if not have_redis:
            print("redis baseline skipped: redis-server, redis-cli or "
                  "redis-benchmark not found (Debian: apt-get install "
                  "redis-server redis-tools)")
        red, red1, many, one = [], [], [], []
        answered = 0
        for i in range(runs):
            # Alternate which goes first, so drift favours neither.
            order = ["redis", "hotline"] if i % 2 == 0 else \
                ["hotline", "redis"]
            for what in order:
                if what == "redis" and have_redis:
                    for conns, acc in ((CONNS, red), (1, red1)):
                        r = run_redis(tmp, conns)
                        acc.append(r)
                        p50 = f"  p50 {r['p50_us']:.0f} us" if \
                            r["p50_us"] else ""
                        print(f"  redis GET        run {i + 1}: "
                              f"{r['rps']:10,.0f} req/s at {conns:2} "
                              f"conn{p50}  (cpu: server "
                              f"{r['server_cpu']:.2f} = "
                              f"{r['server_us']:.1f} us/GET, client "
                              f"{r['client_cpu']:.2f})")
                elif what == "hotline":
                    for conns, acc in ((CONNS, many), (1, one)):
                        r = run_load(build, daemon, people, conns, seconds)
                        acc.append(r)
                        answered += r["answered_total"]
                        print(f"  hotline lookup   run {i + 1}: "
                              f"{r['rps']:10,.0f} req/s at {conns:2} "
                              f"conn  p50 {r['p50_us']} us, p99 "
                              f"{r['p99_us']} us, p99.9 {r['p999_us']} "
                              f"us, max {r['max_us']} us  (cpu: server "
                              f"{r['server_cpu']:.2f} = "
                              f"{r['server_us']:.1f} us/lookup, client "
                              f"{r['client_cpu']:.2f})")
        t0 = time.monotonic()
        rc = daemon.stop()
        stop_s = time.monotonic() - t0
        log_text = daemon.log()
        daemon = None
        db = sqlite3.connect(os.path.join(tmp, "data", "hotline.db"))
        inquiries = db.execute("SELECT count(*) FROM inquiry").fetchone()[0]
        db.close()

        print(f"median at {CONNS} connections: hotline "
              f"{med(many, 'rps'):,.0f} lookups/s, p50 "
              f"{med(many, 'p50_us'):.0f} us, p99 {med(many, 'p99_us'):.0f} "
              f"us, p99.9 {med(many, 'p999_us'):.0f} us")
        if red:
            print(f"median redis GET {med(red, 'rps'):,.0f} req/s; ratio "
                  f"hotline/redis {med(many, 'rps') / med(red, 'rps'):.3f}")
        print(f"median at 1 connection: hotline {med(one, 'rps'):,.0f} "
              f"lookups/s, p50 {med(one, 'p50_us'):.0f} us, p99 "
              f"{med(one, 'p99_us'):.0f} us, p99.9 "
              f"{med(one, 'p999_us'):.0f} us")
        if red1:
            p50 = med(red1, "p50_us")
            print(f"median redis GET at 1 connection "
                  f"{med(red1, 'rps'):,.0f} req/s"
                  + (f", p50 {p50:.0f} us" if p50 else "") +
                  " (the loopback round trip of this machine)")
        # Each answered lookup is one inquiry; those in flight when a run
        # stopped were committed but their replies never read.
        slack = runs * (CONNS + 1)
        ok = answered <= inquiries <= answered + slack
        print(f"inquiries committed {inquiries:,}, lookups answered "
              f"{answered:,} (up to {slack} more in flight at the ends): "
              f"{'consistent' if ok else 'MISMATCH'}")
        print(f"hotlined exit status on SIGTERM: {rc}, after {stop_s:.1f} s")
        m = re.search(r"longest stall: ([\d.]+) ms", log_text)
        stall = float(m.group(1)) if m else None
        print(f"hotlined's event loop, longest stall of the whole run: "
              f"{stall} ms")
        if red and red1:
            rows = [
                ("50 conn: lookups/s vs GET/s", med(many, "rps") /
                 med(red, "rps"), ">= 1.0"),
                ("50 conn: p99 (ms)", med(many, "p99_us") / 1000, "<= 2"),
                ("1 conn: lookups/s vs GET/s", med(one, "rps") /
                 med(red1, "rps"), ">= 0.8"),
                ("50 conn: server CPU/lookup vs /GET",
                 med(many, "server_us") / med(red, "server_us"), "<= 1.5"),
            ]
            print("targets (issue: throughput, durability and faults):")
            for what, v, want in rows:
                print(f"  {what:40} {v:8.2f}   target {want}")
        if rc != 0 or not ok:
            sys.exit(1)
        audit_cost(build, tmp, people, seconds, runs)
    finally:
        if daemon is not None:
            daemon.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
