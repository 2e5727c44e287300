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
EXPOSE 8000
