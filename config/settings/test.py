"""Test mode: fast password hashing, quiet logs; the database comes from DATABASE_URL as usual."""

from config.settings.base import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
KEEL_MAX_RATE_LIMIT_WAIT_SECONDS = 5.0
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
# Tests run tasks in-process even when CI provides a broker; the one test that needs a real
# worker (tests/ingestion/test_celery_worker.py) switches this off for itself.
CELERY_TASK_ALWAYS_EAGER = True
# Tests never run collectstatic: WhiteNoise serves the apps' static files from where they are,
# as in development (WHITENOISE_USE_FINDERS), and does not look for the collected folder at
# start-up (WHITENOISE_AUTOREFRESH), which would warn that it does not exist.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
