#!/usr/bin/env python3
"""Statistics on a busy month (make bench).

    python3 bench/stats_bench.py BUILD [INQUIRIES] [DAYS]

Fills hotline.db with INQUIRIES (1,000,000) inquiries over DAYS (30) days
through the store's own write path (build/bench/stats_load, which also
times the queries in-process), then asks a running hotlined for
stats.summary of the whole month and stats.hourly of a day over the
protocol, 21 times each, as a supervisor would.
"""
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
import datetime

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = 21


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    n = sys.argv[2] if len(sys.argv) > 2 else "1000000"
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    tmp = tempfile.mkdtemp(prefix="hotline-stats-")
    proc = None
    try:
        port = free_port()
        demo = os.path.join(tmp, "demo")
        subprocess.run([os.path.join(build, "hotlinectl"), "demo", "--dir",
                        demo, "--rows", "1000", "--port", str(port),
                        "--http-port", str(free_port()),
                        "--prompts", os.path.join(TOP, "prompts")],
                       check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, TZ="Asia/Tokyo")
        out = subprocess.run([os.path.join(build, "bench", "stats_load"),
                              os.path.join(demo, "data"), n, str(days)],
                             check=True, stdout=subprocess.PIPE, text=True,
                             env=env).stdout
        load = json.loads(out)
        conf = os.path.join(demo, "hotline.conf")
        with open(conf, encoding="utf-8") as f:
            text = f.read().replace('level = "info"', 'level = "warn"')
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        logf = open(os.path.join(tmp, "hotlined.log"), "wb")
        proc = subprocess.Popen([os.path.join(build, "hotlined"), "-c",
                                 conf], stdout=logf, stderr=logf)
        deadline = time.monotonic() + 30
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("hotlined did not start")
                time.sleep(0.05)
        f = s.makefile("rwb")

        def call(method, params):
            f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                                "params": params}).encode() + b"\n")
            f.flush()
            r = json.loads(f.readline())
            if "result" not in r:
                raise SystemExit(f"{method}: {r}")
            return r["result"]

        call("hello", {"client": "demo-supervisor",
                       "token": "demo-supervisor-token"})
        today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
        first = today - datetime.timedelta(days=days - 1)
        summ, hour = [], []
        for _ in range(RUNS):
            t0 = time.monotonic()
            r = call("stats.summary", {"from": first.isoformat(),
                                       "to": today.isoformat()})
            summ.append((time.monotonic() - t0) * 1000)
            t0 = time.monotonic()
            call("stats.hourly", {"date": today.isoformat()})
            hour.append((time.monotonic() - t0) * 1000)
        if r["inquiries"] != int(n):
            raise SystemExit(f"stats.summary counted {r['inquiries']}")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(30)
        logf.close()
        print(f"stats: {int(n):,} inquiries over {days} days written at "
              f"{load['fill_per_s']:,.0f}/s through the store")
        print(f"  in process: stats.summary of the month median "
              f"{load['summary_ms_median']:.2f} ms (max "
              f"{load['summary_ms_max']:.2f}), stats.hourly of a day "
              f"{load['hourly_ms_median']:.2f} ms")
        print(f"  over the protocol: stats.summary median "
              f"{statistics.median(summ):.2f} ms (max {max(summ):.2f}), "
              f"stats.hourly median {statistics.median(hour):.2f} ms "
              f"(target < 100 ms); hotlined exit {rc}")
        if rc != 0 or max(summ) >= 100:
            sys.exit(1)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
