#!/usr/bin/env bash
# Creates .kith/venv (ignored) with the pinned readers of dev/python/requirements.txt, once
# per change of that file. Prints nothing on success when already up to date.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=dev/python/requirements.txt
venv=.kith/venv
stamp=$venv/.requirements
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$stamp"; then exit 0; fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
cp "$req" "$stamp"
