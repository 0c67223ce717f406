# Production image: gunicorn serving Talkies; the same image runs the Celery
# worker, beat and the release step with other commands (docker-compose.yml).
FROM python:3.11-slim
# The release this image is: every cache key carries it, so a new image never
# reads what the last one cached. Production settings refuse to start without it.
ARG RELEASE_ID
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    RELEASE_ID=${RELEASE_ID}
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
# collectstatic reads settings only: placeholders stand in for the services.
RUN SECRET_KEY=build ALLOWED_HOSTS=build WAGTAILADMIN_BASE_URL=http://build DATABASE_URL=sqlite:////tmp/build.db \
    CACHE_URL=redis://build:6379/0 CELERY_BROKER_URL=redis://build:6379/0 EMAIL_HOST=build \
    python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
