"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

# Servers and workers run production settings unless told otherwise: a forgotten variable must
# never mean DEBUG and a known SECRET_KEY (production refuses to start without its secrets).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()
