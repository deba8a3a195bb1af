"""Running a management command in the test process and reading what it printed."""

from io import StringIO

from django.core.management import call_command


def call(*args):
    """(stdout, stderr) of ``manage.py *args``."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
