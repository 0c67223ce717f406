import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

application = get_wsgi_application()

# Load the URLconf (and with it every model, block and view) now, then move
# everything loaded so far out of the garbage collector's sight: a request
# that builds many small objects (search facets over thousands of stories)
# otherwise pays for full collections scanning the whole framework, about
# 80 ms at 20,000 stories. Under gunicorn with preload this also keeps
# copy-on-write pages shared between workers.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
