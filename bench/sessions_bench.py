#!/usr/bin/env python3
"""Many open IVR sessions on one hotlined (make bench).

    python3 bench/sessions_bench.py BUILD [SESSIONS] [SECONDS]

Opens SESSIONS (10,000) calls over 100 gateway connections and leaves
them open, half of them after their lookup (the session then holds what
it found, for the menu's repeat). Reports hotlined's resident memory
before and with the sessions, and the latency of lookups made meanwhile
on another connection (build/bench/lookup_load, 1 connection).
"""
import csv
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONNS = 100
CLIENT = "demo-gateway"
TOKEN = "demo-gateway-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


class Line:
    """A JSON-lines connection with pipelining."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def send(self, objs):
        self.s.sendall(b"".join(json.dumps(o, ensure_ascii=False).encode() +
                                b"\n" for o in objs))

    def recv(self, n):
        out = []
        while len(out) < n:
            while b"\n" not in self.buf:
                chunk = self.s.recv(1 << 20)
                if not chunk:
                    raise SystemExit("hotlined closed a connection")
                self.buf += chunk
            line, self.buf = self.buf.split(b"\n", 1)
            out.append(json.loads(line))
        return out


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    seconds = sys.argv[3] if len(sys.argv) > 3 else "10"
    ctl = os.path.join(build, "hotlinectl")
    tmp = tempfile.mkdtemp(prefix="hotline-sessions-")
    proc = None
    try:
        port = free_port()
        subprocess.run([ctl, "demo", "--dir", os.path.join(tmp, "demo"),
                        "--port", str(port), "--http-port",
                        str(free_port()), "--prompts",
                        os.path.join(TOP, "prompts")], check=True,
                       stdout=subprocess.DEVNULL)
        conf = os.path.join(tmp, "demo", "hotline.conf")
        with open(conf, encoding="utf-8") as f:
            text = f.read()
        text = text.replace('level = "info"', 'level = "warn"')
        text += ("limits = { max_connections = 20000; idle_timeout_s = 600; };\n"
                 "ivr = { max_sessions = %d; daily_lookups_per_caller = 1000; };\n"
                 "rate = { lookups_per_s = 0; };\n"
                 "alerts = { threshold = 100000000; };\n" % (sessions + 100))
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        # The same fictional people as the demo (seed 1, 100,000 rows).
        lst = os.path.join(tmp, "list.csv")
        subprocess.run([ctl, "gen", "--orgs-out", os.path.join(tmp, "o.csv"),
                        "--list-out", lst], check=True)
        people = []
        with open(lst, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                d = re.sub(r"\D", "", row["birthdate"])
                if row["phone"] and len(d) == 8:
                    people.append((row["phone"], d))
                if len(people) >= sessions:
                    break
        pf = os.path.join(tmp, "people.tsv")
        with open(pf, "w", encoding="utf-8") as f:
            for p, d in people[:2000]:
                f.write(f"{p}\t{d[:4]}-{d[4:6]}-{d[6:]}\n")

        logf = open(os.path.join(tmp, "hotlined.log"), "wb")
        proc = subprocess.Popen([os.path.join(build, "hotlined"), "-c",
                                 conf], stdout=logf, stderr=logf)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("hotlined did not start")
                time.sleep(0.05)
        time.sleep(0.2)
        rss0 = rss_mib(proc.pid)

        t0 = time.monotonic()
        conns = [Line(port) for _ in range(CONNS)]
        for c in conns:
            c.send([{"jsonrpc": "2.0", "id": 0, "method": "hello",
                     "params": {"client": CLIENT, "token": TOKEN}}])
        for c in conns:
            if "result" not in c.recv(1)[0]:
                raise SystemExit("hello failed")
        per = sessions // CONNS
        sids = []
        for k, c in enumerate(conns):
            c.send([{"jsonrpc": "2.0", "id": i, "method": "call.begin",
                     "params": {"call_id": f"bench-{k}-{i}",
                                "ani": people[(k * per + i) % len(people)][0]}}
                    for i in range(per)])
        for c in conns:
            got = c.recv(per)
            if any("result" not in r for r in got):
                raise SystemExit("call.begin failed: %r" % got[0])
            sids.append([r["result"]["session"] for r in got])
        # Half the calls go on to their lookup and wait in the menu.
        for k, c in enumerate(conns):
            c.send([{"jsonrpc": "2.0", "id": i, "method": "call.input",
                     "params": {"session": sids[k][i],
                                "digits": people[(k * per + i) %
                                                 len(people)][1]}}
                    for i in range(0, per, 2)])
        for k, c in enumerate(conns):
            got = c.recv(len(range(0, per, 2)))
            if any("result" not in r for r in got):
                raise SystemExit("call.input failed: %r" % got[0])
        open_s = time.monotonic() - t0
        time.sleep(0.5)
        rss1 = rss_mib(proc.pid)

        out = subprocess.run(
            [os.path.join(build, "bench", "lookup_load"), "-p", str(port),
             "-c", "1", "-d", seconds, "-C", CLIENT, "-T", TOKEN, "-f", pf],
            check=True, stdout=subprocess.PIPE, text=True).stdout
        lat = json.loads(out)
        rss2 = rss_mib(proc.pid)
        for c in conns:
            c.s.close()
        time.sleep(1)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
        logf.close()
        db = sqlite3.connect(os.path.join(tmp, "demo", "data", "hotline.db"))
        ivr = dict(db.execute("SELECT outcome, count(*) FROM inquiry WHERE "
                              "channel = 'ivr' GROUP BY outcome").fetchall())
        db.close()
        print(f"sessions: {sessions} open over {CONNS} connections in "
              f"{open_s:.1f} s, half of them after their lookup")
        print(f"  hotlined RSS: {rss0:.1f} MiB idle, {rss1:.1f} MiB with "
              f"the sessions ({(rss1 - rss0) * 1024 * 1024 / sessions:.0f} "
              f"bytes a session), {rss2:.1f} MiB after the lookups "
              f"(target < 64 MiB)")
        print(f"  lookups meanwhile on 1 connection: {lat['rps']:,.0f}/s, "
              f"p50 {lat['p50_us']} us, p99 {lat['p99_us']} us, max "
              f"{lat['max_us']} us (target p99 < 5000 us)")
        print(f"  calls recorded when their connections closed: {ivr}; "
              f"hotlined exit {rc}")
        if rc != 0 or sum(ivr.values()) != sessions:
            sys.exit(1)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
