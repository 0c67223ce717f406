"""Where the admin lives: WAGTAIL_ADMIN_PATH, not a literal /admin/."""

from django.conf import settings

ADMIN = f"/{settings.WAGTAIL_ADMIN_PATH}"
