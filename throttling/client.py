"""Who a request comes from, for rate limits, sign-in lockouts and the
address kept with a comment.

A request that reaches Django straight from a client is that client's, and
any X-Forwarded-For it sends is ignored: anyone can write the header. Only a
request whose peer is one of TRUSTED_PROXIES (addresses or networks, e.g.
the Varnish in front) has its header read, from the right: each hop a
trusted proxy appended is skipped, and the first address not in
TRUSTED_PROXIES is the client. Whatever a client wrote to the left of that
is never read.

python-ipware parses the header (ports, brackets, IPv4-mapped IPv6, junk).
Its own trusted-proxy option is not used: it matches the header's trailing
entries position by position and never looks at REMOTE_ADDR, so a client
connecting to gunicorn directly could name any address by sending
`X-Forwarded-For: <anything>, <the proxy's address>` (tests/throttling
shows it).
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from python_ipware.modern.parsers import split_proxy_chain


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]):
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {proxy!r} is not an address or network") from error
    return tuple(networks)


def _address(value):
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return None
    # A proxy may write an IPv4 client as ::ffff:a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted_proxy(address, networks):
    return address is not None and any(address in network for network in networks)


def client_address(request):
    """The client's address as a string (None when the request has none).
    Also django-ratelimit's RATELIMIT_IP_META_KEY and django-axes'
    AXES_CLIENT_IP_CALLABLE, so every limit keys on the same answer."""
    peer = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    peer_address = _address(peer)
    if not is_trusted_proxy(peer_address, networks):
        return str(peer_address) if peer_address else peer
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = split_proxy_chain(header, False) if header else []
    for hop in reversed(hops):
        hop = _address(hop)
        if hop is None:
            break  # an unparsable hop: nothing left of it can be trusted
        if not is_trusted_proxy(hop, networks):
            return str(hop)
    # Every hop was a proxy of ours (a health check from inside, say).
    return str(peer_address)


def ratelimit_rate(limit, window_seconds):
    """django-ratelimit's rate string for `limit` requests per `window_seconds`."""
    return f"{limit}/{window_seconds}s"
