# Importing the Celery app here binds @shared_task to it as Django starts.
from .celery import app as celery_app

__all__ = ("celery_app",)
