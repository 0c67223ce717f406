"""Search's probe for /healthz."""

from wagtail.search.backends import get_search_backend

from search.elasticsearch import engine, get_client


def check_search() -> str:
    if engine() and not get_client().ping():
        raise RuntimeError(f"reader search is degraded: {engine()} did not answer; pages search the database")
    backend = get_search_backend()
    client = getattr(backend, "es", None) or getattr(backend, "client", None)
    if client is not None and not client.ping():
        raise RuntimeError("search server did not answer a ping")
    return backend.__class__.__module__.rsplit(".", 1)[-1]
