FROM python:3.11-slim
WORKDIR /app
# Dependencies from the hashed lockfile first (a layer that changes only with the lock), then Keel.
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY pyproject.toml README.md ./
COPY config config
COPY apps apps
COPY integrations integrations
COPY templates templates
COPY manage.py ./
RUN pip install --no-cache-dir --no-deps --no-build-isolation .
# Production settings unless told otherwise (config/wsgi.py and config/celery.py default to them
# too); never run as root: the server writes only static files and mail files.
ENV DJANGO_SETTINGS_MODULE=config.settings.production
RUN useradd --system --home-dir /app keel \
    && mkdir -p /app/staticfiles /app/var \
    && chown keel /app/staticfiles /app/var
USER keel
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--workers", "4", "--worker-class", "gthread", "--threads", "4", "--bind", "0.0.0.0:8000"]
