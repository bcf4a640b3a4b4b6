# MIL CLICKS for LMS: production image (gunicorn, non-root, migrations on start).
# docker compose up (compose.yaml) runs it with PostgreSQL and Redis.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MILCLICKS_DATA_DIR=/var/lib/milclicks \
    MILCLICKS_MODULES_DIR=/app/modules \
    MILCLICKS_GUIDES_DIR=/app/teacher_guides \
    MILCLICKS_TRANSLATIONS_DIR=/app/translations \
    MILCLICKS_BIND=0.0.0.0:8000

WORKDIR /app
RUN useradd --system --uid 10001 --no-create-home --home-dir /app milclicks \
    && mkdir -p /var/lib/milclicks \
    && chown 10001 /var/lib/milclicks

COPY pyproject.toml README.md ./
COPY lti_app ./lti_app
RUN pip install --no-compile .

COPY modules ./modules
COPY teacher_guides ./teacher_guides
COPY translations ./translations
COPY bin/entrypoint ./bin/entrypoint

USER 10001
EXPOSE 8000
VOLUME ["/var/lib/milclicks"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["/app/bin/entrypoint"]
CMD ["serve"]
