#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from tests/data (docs/FUZZING.md).

    python3 fuzz/seeds.py TESTDATA OUTDIR

makes OUTDIR/<target>/ for each target below, one file per seed, named by
its SHA-1, so that running it again changes nothing. The seeds are the
test vectors of tests/data/normalize.tsv, the matching columns of the CSV
files in tests/data, and for the CSV reader the files themselves. A target
without an entry here starts from an empty corpus.
"""

import csv
import glob
import hashlib
import os
import sys

# target -> (kinds of normalize.tsv, CSV column names) whose values seed it
NORMALIZERS = {
    "phone": (["phone", "ani"], ["phone", "contact_phone"]),
    "ani": (["ani", "phone"], ["phone", "contact_phone"]),
    "birthdate": (["birthdate"], ["birthdate", "period_from", "period_to"]),
    "kana": (["kana"], ["kana"]),
    "postal": (["postal_code"], ["postal_code"]),
    "gender": (["gender"], ["gender"]),
    "address": ([], ["address", "katagaki", "contact_name", "name"]),
}

# fuzz_csv's option bytes (fuzz/fuzz_csv.c): every encoding, no pad; and
# every encoding behind a pad of empty lines or one long field.
CSV_OPTIONS = [b"\x03\x00", b"\x07\x80", b"\x0f\x7f"]


def tsv_inputs(testdata):
    """(kind, input) of every vector of normalize.tsv."""
    out = []
    with open(os.path.join(testdata, "normalize.tsv"), encoding="utf-8",
              newline="") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line or line.startswith("#"):
                continue
            field = line.split("\t")
            if len(field) >= 2:
                out.append((field[0], field[1]))
    return out


def csv_files(testdata):
    return sorted(glob.glob(os.path.join(testdata, "**", "*.csv"),
                            recursive=True))


def csv_columns(testdata):
    """column name -> values, over every UTF-8 CSV file with a header."""
    cols = {}
    for path in csv_files(testdata):
        try:
            with open(path, encoding="utf-8-sig", newline="") as f:
                for row in csv.DictReader(f):
                    for k, v in row.items():
                        if k is not None and isinstance(v, str):
                            cols.setdefault(k, []).append(v)
        except (UnicodeDecodeError, csv.Error):
            continue    # the CP932 and deliberately broken fixtures
    return cols


def put(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)


# Request lines for fuzz_rpc: the first byte picks who asks (0 nobody,
# 1 gw, 2 op, 3 sup, 4 adm, 5 op2), the rest is the line.
RPC_LINES = [
    (0, '{"jsonrpc":"2.0","id":1,"method":"ping"}'),
    (0, '{"jsonrpc":"2.0","id":1,"method":"hello","params":'
        '{"client":"gw","token":"gw-token"}}'),
    (1, '{"jsonrpc":"2.0","id":2,"method":"lookup","params":'
        '{"phone":"080-3333-4444","birthdate":"1970-12-03","lang":"en"}}'),
    (1, '{"jsonrpc":"2.0","id":"a","method":"call.begin","params":'
        '{"call_id":"c1","ani":"09011112222","dnis":"0120000000"}}'),
    (1, '{"jsonrpc":"2.0","id":3,"method":"call.input","params":'
        '{"session":"AAAAAAAAAAAAAAAAAAAAAAAA","digits":"19750401#"}}'),
    (2, '{"jsonrpc":"2.0","id":4,"method":"operator.search","params":'
        '{"kana":"スズキ ハナコ","birthdate":"S45.12.3","phone":"08033334444"}}'),
    (2, '{"jsonrpc":"2.0","id":5,"method":"notice.render","params":'
        '{"orgs":["komorebi","unknown"],"lang":"ja"}}'),
    (2, '{"jsonrpc":"2.0","id":6,"method":"inquiry.record","params":'
        '{"outcome":"affected","duration_s":60}}'),
    (3, '[{"jsonrpc":"2.0","id":7,"method":"stats.live","params":{"top":3}},'
        '{"jsonrpc":"2.0","method":"ping"},'
        '{"jsonrpc":"2.0","id":8,"method":"alerts.list",'
        '"params":{"unacked":true}}]'),
    (3, '{"jsonrpc":"2.0","id":9,"method":"stats.summary","params":'
        '{"from":"2026-11-01","to":"2026-11-30"}}'),
    (4, '{"jsonrpc":"2.0","id":10,"method":"admin.client_enable",'
        '"params":{"client":"gw"}}'),
    (4, '{"jsonrpc":"2.0","id":11,"method":"alerts.ack","params":'
        '{"id":1,"note":"reviewed"}}'),
]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: seeds.py TESTDATA OUTDIR")
    testdata, outdir = sys.argv[1], sys.argv[2]
    vectors = tsv_inputs(testdata)
    cols = csv_columns(testdata)
    for target, (kinds, names) in NORMALIZERS.items():
        for kind, value in vectors:
            if kind in kinds:
                put(outdir, target, value.encode("utf-8"))
        for name in names:
            for value in cols.get(name, []):
                put(outdir, target, value.encode("utf-8"))
    for who, line in RPC_LINES:
        put(outdir, "rpc", bytes([who]) + line.encode("utf-8"))
    for path in csv_files(testdata):
        with open(path, "rb") as f:
            data = f.read()
        for opt in CSV_OPTIONS:
            put(outdir, "csv", opt + data)


if __name__ == "__main__":
    main()
