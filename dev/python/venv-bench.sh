#!/usr/bin/env bash
# Creates .kith/bench-venv (ignored) with Splink, pinned in dev/python/requirements-bench.txt,
# for the identity benchmark only (make bench-identity); once per change of that file.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=dev/python/requirements-bench.txt
venv=.kith/bench-venv
stamp=$venv/.requirements
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then exit 0; fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
