#!/usr/bin/env bash
# Quick start: everything a newcomer needs, then the app on http://127.0.0.1:8000.
# Embedded default: a SQLite file and tasks run in-process. Set DATABASE_URL and
# CELERY_BROKER_URL to run the same code on PostgreSQL and a real Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
PY=.venv/bin/python
ADDR=${RUN_ADDR:-127.0.0.1:8000}
# Settings default to production (DEBUG off); the quick start is development.
export DEBUG=${DEBUG:-1}

echo "» migrating the database"
$PY manage.py migrate --no-input -v 0
echo "» compiling translations"
$PY scripts/compile_translations.py
echo "» demo data (first run only; changes nothing when already there)"
$PY manage.py seed_demo
if $PY manage.py help run_rollups >/dev/null 2>&1; then
  echo "» computing rollups for days not yet done"
  $PY manage.py run_rollups --dirty
fi
case "${DEBUG,,}" in
  1 | true | yes | y | on | ok) ;;
  *)
    # DEBUG off: whitenoise serves the collected, hashed files (staticfiles/), as in production.
    echo "» collecting static files (DEBUG off)"
    $PY manage.py collectstatic --no-input -v 0
    ;;
esac
echo "» serving http://$ADDR  (logins: demo_admin, demo_county, demo_partner / demo12345)"
exec $PY manage.py runserver "$ADDR" --noreload
