"""Production mode: secrets required from the environment, HTTPS-only cookies, HSTS.

`DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy` is clean.
"""

from urllib.parse import urlsplit, urlunsplit

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
KEEL_ENCRYPTION_KEY = env("KEEL_ENCRYPTION_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _cache_url_default() -> str:
    """Database 1 of the Celery broker's Redis (the broker keeps its own database), else a Redis
    on this host."""
    broker = urlsplit(env("CELERY_BROKER_URL", default=""))
    if broker.scheme in ("redis", "rediss"):
        return urlunsplit(broker._replace(path="/1", query="", fragment=""))
    return "redis://127.0.0.1:6379/1"


# One cache shared by every gunicorn worker and machine: the API throttle counts each client's
# requests there (a per-process LocMem cache would let every worker allow the full rate).
# Django's built-in RedisCache (redis-py comes with celery[redis]).
CACHES = {"default": env.cache_url("CACHE_URL", default=_cache_url_default())}
