"""Laptop mode: the defaults of base.py, with DEBUG on unless the environment says otherwise."""

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
