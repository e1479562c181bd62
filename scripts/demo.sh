#!/bin/sh
# make demo: build the demo data set (once) and run hotlined on it in the
# foreground: JSON-RPC on 127.0.0.1:7411, the operator desk and the
# wallboard on http://127.0.0.1:7480/. Ctrl-C stops it.
set -eu
BUILD=${1:-build}
"$BUILD/hotlinectl" demo --dir demo
echo
echo "Starting hotlined on 127.0.0.1 port 7411, and the desk and the"
echo "wallboard on http://127.0.0.1:7480/ (Ctrl-C stops it)."
exec "$BUILD/hotlined" -c demo/hotline.conf
