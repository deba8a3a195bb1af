# The two commands of the README's quick start.
.PHONY: run test

run:  ## venv, install, migrate, translations, demo data, rollups, serve http://127.0.0.1:8000
	@bash scripts/run.sh

test:  ## the whole test suite on PostgreSQL (browser tests in Debian's Chromium)
	@bash scripts/test.sh
