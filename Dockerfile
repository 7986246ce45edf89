FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DRIFTWATCH_VAR_DIR=/var/lib/driftwatch
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends git postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY config ./config
COPY recovery ./recovery
COPY audits ./audits
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py"]
