#!/bin/sh
# make bench-import: hotline's import against the sqlite3 shell on the
# same CSV, in the same run (docs/BENCHMARKS.md).
set -eu
BUILD=${1:-build}
exec python3 bench/import_bench.py "$BUILD" "${IMPORT_ROWS:-1000000}" "${RUNS:-3}"
