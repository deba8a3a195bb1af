"""Helpers shared by the tests; test modules import from here, never from each other.

factories        the factory_boy factories, the one way to build a model row
orders           orders through the real services (place_order, move_to) and finished
                 orders written directly with the factories (make_order)
dates            Shanghai wall-clock moments
partners         partners in any onboarding status
import_files     partner files as people produce them (CSV, GBK, XLSX)
commands         running a management command and reading its output
pages            reading a rendered page
rollup_expectations  every rollup figure recomputed from the raw orders; table snapshots
sales_world      the month of orders the dashboard tests read, and its expected figures
live_database    the test database as a URL, for processes a test starts
celery_broker    the test process's Celery app on a real broker
servers          gunicorn, private PostgreSQL and Redis, a rollups worker, manage.py
load             concurrent API traffic against a running server
"""
