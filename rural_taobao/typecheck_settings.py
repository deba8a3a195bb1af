"""The settings mypy's django-stubs plugin loads (pyproject.toml): the development
settings, so that type checking needs no secret key. Never used to run the app."""

import os

os.environ["DEBUG"] = "1"

from rural_taobao.settings import *  # noqa: E402, F403
