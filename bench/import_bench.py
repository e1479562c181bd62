#!/usr/bin/env python3
"""make bench-import: hotline's import against the sqlite3 shell, same CSV,
same run, alternating, on this machine.

    python3 bench/import_bench.py BUILD [ROWS] [RUNS]

hotline: `hotlinectl import` of ROWS generated rows (validation, SPEC §5
normalization, six keyed hashes per row, indexes, fsync, rename).
baseline: the sqlite3 shell `.import` of the same CSV into a plain table,
then CREATE INDEX on (phone, birthdate) and (kana, birthdate); its fastest
form (indexes after the load, one transaction).

Prints wall time and peak RSS of each run, the medians and the ratio.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, **kw):
    """Wall seconds and the child's peak RSS in MiB."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, **kw)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr}")
    return wall, p


def rss_of(cmd, **kw):
    """Runs cmd in a fresh python child so that ru_maxrss is its own."""
    code = ("import resource,subprocess,sys,time;"
            "t=time.monotonic();"
            "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,"
            "stderr=subprocess.PIPE,text=True);"
            "w=time.monotonic()-t;"
            "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(w,r,p.returncode);sys.stderr.write(p.stderr)")
    p = subprocess.run([sys.executable, "-c", code] + cmd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    wall, rss_kib, rc = p.stdout.split()
    if rc != "0":
        sys.exit(f"{cmd[0]} failed: {p.stderr}")
    return float(wall), int(rss_kib) / 1024.0


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ctl = os.path.join(build, "hotlinectl")
    tmp = tempfile.mkdtemp(prefix="hotline-bench-")
    try:
        orgs = os.path.join(tmp, "orgs.csv")
        lst = os.path.join(tmp, "list.csv")
        sizes = os.path.join(TOP, "tests", "data", "orgs-incident-sizes.tsv")
        subprocess.run([ctl, "gen", "--rows", str(rows), "--seed", "42",
                        "--sizes", sizes, "--orgs-out", orgs,
                        "--list-out", lst], check=True)
        conf = os.path.join(tmp, "hotline.conf")
        with open(conf, "w") as f:
            f.write('data_dir = "data";\n')
        subprocess.run([ctl, "init", "-c", conf], check=True,
                       stdout=subprocess.DEVNULL)
        size_mb = os.path.getsize(lst) / 1e6
        print(f"{rows} rows, {size_mb:.0f} MB CSV, {runs} runs each, "
              f"alternating")
        sql = (".mode csv\n"
               "CREATE TABLE affected(org_code, name, kana, phone, gender, "
               "birthdate, postal_code, address, katagaki, extra_items);\n"
               f".import --skip 1 {lst} affected\n"
               "CREATE INDEX affected_phone ON affected(phone, birthdate);\n"
               "CREATE INDEX affected_kana ON affected(kana, birthdate);\n")
        hot, base = [], []
        for i in range(runs):
            db = os.path.join(tmp, "base.db")
            if os.path.exists(db):
                os.remove(db)
            sqlf = os.path.join(tmp, "base.sql")
            with open(sqlf, "w") as f:
                f.write(sql)
            w, r = rss_of(["sh", "-c", f"sqlite3 {db} < {sqlf}"])
            base.append((w, r))
            print(f"  sqlite3 shell   run {i + 1}: {w:6.2f} s  "
                  f"peak RSS {r:6.1f} MiB")
            w, r = rss_of([ctl, "import", "-q", "-c", conf, "--orgs", orgs,
                           lst])
            hot.append((w, r))
            print(f"  hotline import  run {i + 1}: {w:6.2f} s  "
                  f"peak RSS {r:6.1f} MiB")
        hm = statistics.median(w for w, _ in hot)
        bm = statistics.median(w for w, _ in base)
        print(f"median: hotline {hm:.2f} s, sqlite3 {bm:.2f} s, "
              f"ratio {hm / bm:.2f} (target <= 1.00); "
              f"hotline peak RSS {max(r for _, r in hot):.1f} MiB; "
              f"{rows / hm:,.0f} rows/s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
