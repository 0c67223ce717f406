from django.http import HttpResponse


def trivial(request):
    """The least Django can do: the benchmark's yardstick."""
    return HttpResponse(b"ok", content_type="text/plain")
