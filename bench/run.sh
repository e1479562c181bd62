#!/bin/sh
# make bench: every benchmark, each with its baseline measured in the same
# run where it has one (docs/BENCHMARKS.md has the figures and the machine).
#   IMPORT_ROWS (1000000), RUNS (3 for import, 1 for lookup),
#   LOOKUP_ROWS (1000000), LOOKUP_SECONDS (10), SESSIONS (10000),
#   STATS_INQUIRIES (1000000), HTTP_REQUESTS (200), IVR_SECONDS (30)
set -eu
BUILD=${1:-build}
python3 bench/import_bench.py "$BUILD" "${IMPORT_ROWS:-1000000}" "${RUNS:-3}"
python3 bench/lookup_bench.py "$BUILD" "${LOOKUP_ROWS:-1000000}" \
    "${LOOKUP_SECONDS:-10}"
python3 bench/sessions_bench.py "$BUILD" "${SESSIONS:-10000}" \
    "${LOOKUP_SECONDS:-10}"
python3 bench/ivr_bench.py "$BUILD" "${SESSIONS:-10000}" \
    "${IVR_SECONDS:-30}"
python3 bench/stats_bench.py "$BUILD" "${STATS_INQUIRIES:-1000000}" 30
python3 bench/http_bench.py "$BUILD" "${SESSIONS:-10000}" \
    "${HTTP_REQUESTS:-200}"
