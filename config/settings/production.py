"""Production mode: secrets required from the environment, HTTPS-only cookies, HSTS.

`DJANGO_SETTINGS_MODULE=config.settings.production python manage.py check --deploy` is clean.
"""

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
