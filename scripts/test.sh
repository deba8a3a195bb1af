#!/usr/bin/env bash
# The whole test suite, on PostgreSQL and Redis for real (both run on 127.0.0.1 here).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/orders -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
bash scripts/system_deps.sh
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rural_taobao}
# Settings default to production (DEBUG off, a secret key required); the tests import
# the development settings (pytest-django still runs each test with DEBUG False), and the
# servers they start (gunicorn) set DEBUG=0 and their own SECRET_KEY.
export DEBUG=1
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
.venv/bin/python scripts/compile_translations.py >/dev/null
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ "$code" = 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$code"
