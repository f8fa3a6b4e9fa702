# The production image: gunicorn serves the web, Celery runs worker and beat from the same image.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DEBUG=false

RUN apt-get update \
    && apt-get install -y --no-install-recommends curl fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 sightline

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
# collectstatic needs a key to import settings; the real one comes from the environment.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput

USER sightline
EXPOSE 8000
CMD ["gunicorn", "scorecard.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
