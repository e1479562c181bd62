#!/bin/sh
# make bench: the import benchmark, then the lookup benchmark, each with
# its baseline measured in the same run (docs/BENCHMARKS.md).
#   IMPORT_ROWS (1000000), RUNS (3 for import, 1 for lookup),
#   LOOKUP_ROWS (1000000), LOOKUP_SECONDS (10)
set -eu
BUILD=${1:-build}
python3 bench/import_bench.py "$BUILD" "${IMPORT_ROWS:-1000000}" "${RUNS:-3}"
python3 bench/lookup_bench.py "$BUILD" "${LOOKUP_ROWS:-1000000}" \
    "${LOOKUP_SECONDS:-10}"
