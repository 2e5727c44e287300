FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config config
COPY apps apps
COPY integrations integrations
COPY manage.py ./
RUN pip install --no-cache-dir .
EXPOSE 8000
