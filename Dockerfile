# Production image: gunicorn serving Talkies; the same image runs the Celery
# worker and beat with a different command (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/production.txt
COPY . .
RUN SECRET_KEY=build ALLOWED_HOSTS=build WAGTAILADMIN_BASE_URL=http://build python manage.py collectstatic --no-input
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
