#!/bin/sh
# Installs the Debian packages hotline builds and tests with, but only those
# that are missing, so that `make` on a fresh machine needs no other step.
# Non-root users get the apt-get command to run instead of a silent failure.
set -eu

# pkg-config name -> Debian package
# (libevent_openssl, the TLS bufferevents of the HTTP listener, comes
# with libevent-dev.)
pkgs="libevent:libevent-dev libevent_openssl:libevent-dev
sqlite3:libsqlite3-dev libconfig:libconfig-dev jansson:libjansson-dev
libcrypto:libssl-dev libssl:libssl-dev libutf8proc:libutf8proc-dev
cmocka:libcmocka-dev libsystemd:libsystemd-dev"

missing=""
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
