#!/bin/sh
# Installs the Debian packages hotline builds and tests with, but only those
# that are missing, so that `make` on a fresh machine needs no other step;
# with the argument "fuzz", those `make fuzz` needs. Non-root users get the
# apt-get command to run instead of a silent failure.
set -eu

# pkg-config name -> Debian package
# (libevent_openssl, the TLS bufferevents of the HTTP listener, comes
# with libevent-dev.)
pkgs="libevent:libevent-dev libevent_openssl:libevent-dev
sqlite3:libsqlite3-dev libconfig:libconfig-dev jansson:libjansson-dev
libcrypto:libssl-dev libssl:libssl-dev libutf8proc:libutf8proc-dev
cmocka:libcmocka-dev libsystemd:libsystemd-dev"

# Whether $FUZZ_CC links a libFuzzer target (libclang_rt.fuzzer is in
# libclang-rt-14-dev on Debian 12, which clang only recommends).
links_fuzzer() {
	tmp=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *, size_t);' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	    '{ (void)d; (void)n; return 0; }' >"$tmp/t.c"
	"$cc" -fsanitize=fuzzer "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1
	rc=$?
	rm -rf "$tmp"
	return $rc
}

missing=""
if [ "${1:-}" = fuzz ]; then
	# What `make fuzz` needs (docs/FUZZING.md): clang, libFuzzer, and
	# llvm-symbolizer for reports with file and line.
	cc=${FUZZ_CC:-clang}
	if ! command -v "$cc" >/dev/null 2>&1; then
		missing=" clang libclang-rt-dev"
	elif ! links_fuzzer; then
		missing=" libclang-rt-dev"
	fi
	command -v llvm-symbolizer >/dev/null 2>&1 || missing="$missing llvm"
else
	for pair in $pkgs; do
		pc=${pair%%:*}
		deb=${pair#*:}
		pkg-config --exists "$pc" 2>/dev/null || missing="$missing $deb"
	done
	# The sqlite3 shell is the import benchmark's baseline and the audit
	# tamper tests' tool; tzdata gives the business-hours time zone.
	command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
	[ -e /usr/share/zoneinfo/Asia/Tokyo ] || missing="$missing tzdata"
	# make prompts-audio (and its test) speaks the placeholder recordings
	# with espeak-ng, resamples them with sox, and reads Japanese kanji as
	# kana with kakasi first.
	command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
	command -v sox >/dev/null 2>&1 || missing="$missing sox"
	command -v kakasi >/dev/null 2>&1 || missing="$missing kakasi"
fi

[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps: not root; run: apt-get install -y$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2 || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
