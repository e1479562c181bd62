#!/usr/bin/env python3
"""make bench: 10,000 IVR calls at once on one hotlined.

    python3 bench/ivr_bench.py BUILD [CALLS] [SECONDS] [ROWS]

CALLS (10,000) calls over 100 gateway connections (build/bench/ivr_load),
each a script that moves every few seconds: call.begin with a caller ID
of its own, the birthdate, the menu's 9, call.end, the next call. Reports
the latency of call.input (p50, p99, p99.9, max), hotlined's resident
memory at most during the run (sampled every 0.2 s), the CPU it used, and
the longest stall of its event loop (its 10 ms probe). hotlined is pinned
to the last CPU and the load to the first, as in lookup_bench.py.

Targets (issue: throughput, durability and faults): p99 of call.input
<= 5 ms, RSS <= 64 MiB, no stall of the loop over 20 ms.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lookup_bench as lb  # noqa: E402

CONNS = 100
THINK_MS = 3000


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 30
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 200000
    ctl = os.path.join(build, "hotlinectl")
    tmp = tempfile.mkdtemp(prefix="hotline-ivr-bench-")
    daemon = None
    try:
        print(f"ivr: {lb.machine()}")
        orgs = os.path.join(tmp, "orgs.csv")
        lst = os.path.join(tmp, "list.csv")
        subprocess.run([ctl, "gen", "--rows", str(rows), "--seed", "7",
                        "--orgs-out", orgs, "--list-out", lst], check=True)
        port = lb.free_port()
        conf = os.path.join(tmp, "hotline.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(lb.conf_text(port, os.path.join(tmp, "data")))
            f.write(f"ivr = {{ max_sessions = {calls * 2}; "
                    "session_timeout_s = 600; "
                    "daily_lookups_per_caller = 1000; };\n")
        subprocess.run([ctl, "init", "-c", conf], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([ctl, "import", "-q", "-c", conf, "--orgs", orgs,
                        lst], check=True, stdout=subprocess.DEVNULL)
        daemon = lb.Daemon(build, conf, port, os.path.join(tmp, "hd.log"))
        base_rss = rss_mib(daemon.proc.pid)
        peak = [base_rss]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_mib(daemon.proc.pid))
                time.sleep(0.2)
        sampler = threading.Thread(target=sample)
        sampler.start()
        cpu0 = lb.cpu_s(daemon.proc.pid)
        t0 = time.monotonic()
        p = subprocess.run(lb.pinned([
            os.path.join(build, "bench", "ivr_load"), "-p", str(port),
            "-c", str(CONNS), "-n", str(calls), "-d", str(seconds),
            "-w", "5", "-t", str(THINK_MS), "-C", lb.CLIENT, "-T",
            lb.TOKEN], False), stdout=subprocess.PIPE, text=True)
        wall = time.monotonic() - t0
        cpu = (lb.cpu_s(daemon.proc.pid) - cpu0) / wall
        stop.set()
        sampler.join()
        if p.returncode != 0:
            sys.exit("ivr_load failed; hotlined's log ends:\n" +
                     daemon.log()[-3000:])
        r = json.loads(p.stdout)
        rc = daemon.stop()
        log = daemon.log()
        daemon = None
        m = re.search(r"longest stall: ([\d.]+) ms", log)
        stalls = [float(x) for x in re.findall(
            r"the event loop stalled ([\d.]+) ms", log)]
        print(f"{calls} calls over {CONNS} connections, a step every "
              f"{THINK_MS / 1000:g} s give or take half, {seconds:g} s "
              f"measured after 5 s")
        print(f"  calls completed {r['calls']:,}, call.input answered "
              f"{r['inputs']:,} ({r['inputs'] / r['seconds']:,.0f}/s), "
              f"errors {r['errors']}, calls open at the end {r['open']:,}")
        print(f"  call.input latency: p50 {r['p50_us'] / 1000:.2f} ms, p99 "
              f"{r['p99_us'] / 1000:.2f} ms, p99.9 "
              f"{r['p999_us'] / 1000:.2f} ms, max {r['max_us'] / 1000:.1f} "
              f"ms")
        print(f"  hotlined RSS: {base_rss:.1f} MiB idle, at most "
              f"{peak[0]:.1f} MiB with the calls; CPU {cpu:.2f} cores")
        print(f"  event loop: longest stall {m.group(1) if m else '?'} ms "
              f"(the stop, ending every open call, included); stalls over "
              f"20 ms logged: {len(stalls)}")
        print("targets: p99 call.input <= 5 ms: "
              f"{'met' if r['p99_us'] <= 5000 else 'NOT met'}; RSS <= 64 MiB: "
              f"{'met' if peak[0] <= 64 else 'NOT met'}")
        if rc != 0 or r["errors"]:
            sys.exit(1)
    finally:
        if daemon is not None:
            daemon.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
