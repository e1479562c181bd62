#!/bin/sh
# Runs every fuzz target (fuzz/fuzz_*.c, built into BUILD by `make fuzz`)
# for SECONDS each, one after the other, and fails if any of them finds a
# crash, a leak, a timeout, a memory blow-up or a sanitizer report.
#
#   sh fuzz/run.sh BUILD SECONDS [TARGET...]
#
# Each target starts from BUILD/seeds/NAME (fuzz/seeds.py) and keeps what it
# learns in BUILD/corpus/NAME, so a later run goes on from there. A failing
# input is saved as BUILD/crashes/NAME-crash-... (docs/FUZZING.md says how
# to replay it and turn it into a regression test); the whole log is
# BUILD/NAME.log.
set -u

build=$1
seconds=$2
shift 2

# Longest input tried: past NORM_INPUT_MAX (1 KiB) and several CSV rows;
# fuzz_csv reaches the 64 KiB read block with its pad option instead.
max_len=4096
# Per input: the slowest (a padded CSV read three times) takes milliseconds.
timeout=10
rss_mb=2048

if [ $# -gt 0 ]; then
	names="$*"
else
	names=$(for f in fuzz/fuzz_*.c; do
		n=${f##*/fuzz_}
		echo "${n%.c}"
	done)
fi

# Abort on the first report, and print where it came from.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=""
for name in $names; do
	bin=$build/fuzz_$name
	log=$build/$name.log
	if [ ! -x "$bin" ]; then
		echo "fuzz: $name: no $bin (run make fuzz)" >&2
		failed="$failed $name"
		continue
	fi
	mkdir -p "$build/corpus/$name" "$build/seeds/$name" "$build/crashes"
	set -- -max_total_time="$seconds" -max_len=$max_len \
	    -timeout=$timeout -rss_limit_mb=$rss_mb -print_final_stats=1 \
	    -artifact_prefix="$build/crashes/$name-"
	if [ -f "fuzz/fuzz_$name.dict" ]; then
		set -- "$@" -dict="fuzz/fuzz_$name.dict"
	fi
	printf 'fuzz: %-10s %ss ... ' "$name" "$seconds"
	if "$bin" "$@" "$build/corpus/$name" "$build/seeds/$name" \
	    >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "ok, ${runs:-?} runs, ${cov:-cov: ?}"
	else
		echo "FAILED (exit $?)"
		grep -E 'ERROR|runtime error|invariant broken|SUMMARY|Test unit written' \
		    "$log" | head -n 20
		echo "fuzz: full log in $log"
		failed="$failed $name"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed"
	exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"
