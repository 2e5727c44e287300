"""Test mode: fast password hashing, quiet logs; the database comes from DATABASE_URL as usual."""

from config.settings.base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
KEEL_MAX_RATE_LIMIT_WAIT_SECONDS = 5.0
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
