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
    for path in csv_files(testdata):
        with open(path, "rb") as f:
            data = f.read()
        for opt in CSV_OPTIONS:
            put(outdir, "csv", opt + data)


if __name__ == "__main__":
    main()
