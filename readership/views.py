import base64

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from readership.counter import count_read, is_valid_token

# The smallest transparent GIF, for the image fallback of browsers without JavaScript.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# A beacon carries no form and no cookie: nothing for a forged cross-site
# request to ride on, and the worst it can do is count a read, which the
# daily de-duplication already bounds.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def story_read(request, page_id, token):
    """A reader opened the story: POST from `navigator.sendBeacon`, or GET
    from the `<noscript>` image. Counted at most once per reader a day."""
    if not is_valid_token(page_id, token):
        return HttpResponseBadRequest("This is not a story's read beacon.", content_type="text/plain")
    count_read(request, page_id)
    response = HttpResponse(PIXEL, content_type="image/gif") if request.method == "GET" else HttpResponse(status=204)
    add_never_cache_headers(response)
    return response
