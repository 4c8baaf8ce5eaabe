# The production image: gunicorn + whitenoise for web, the same image for the Celery worker/beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# CJK fonts: printed bulletins and the PDF download draw Chinese as empty boxes without them.
# Pango is what WeasyPrint lays text out with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .
COPY . .
# collectstatic runs without a database; the key below exists only during the build.
RUN DJANGO_DEBUG=False DJANGO_SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 rectify && mkdir -p /app/var && chown rectify /app/var
USER rectify
EXPOSE 8000
CMD ["gunicorn", "rectify.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
