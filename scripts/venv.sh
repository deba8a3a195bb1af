#!/usr/bin/env bash
# Creates .venv and installs requirements.txt into it, again only when the file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "» creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing requirements into .venv"
  # This machine's pip config names local mirrors that may be absent: drop that noise,
  # keep pip's exit status (pipefail).
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
  .venv/bin/python -m pip install -q -r requirements.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
  echo "$want" > "$stamp"
fi
