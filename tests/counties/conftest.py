"""Fixtures of the county tests live in tests/conftest.py (the cast and `world`)."""
