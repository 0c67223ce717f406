"""The client's address is read through trusted proxies only."""

from django.test import RequestFactory

import pytest
from python_ipware import IpWare

from throttling.client import client_address

VARNISH = "10.0.0.5"


def request_from(peer, forwarded_for=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.fixture(autouse=True)
def behind_varnish(settings):
    settings.TRUSTED_PROXIES = [VARNISH, "192.168.10.0/24"]


def test_a_client_that_is_no_proxy_cannot_name_its_own_address():
    assert client_address(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"
    assert client_address(request_from("203.0.113.7", f"198.51.100.1, {VARNISH}")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_client():
    assert client_address(request_from(VARNISH, "203.0.113.7")) == "203.0.113.7"
    # What the client wrote itself, left of what Varnish appended, is not read.
    assert client_address(request_from(VARNISH, "198.51.100.1, 203.0.113.7")) == "203.0.113.7"


def test_every_trusted_hop_is_skipped_networks_included():
    # A load balancer in 192.168.10.0/24 in front of Varnish.
    assert client_address(request_from(VARNISH, "198.51.100.1, 203.0.113.7, 192.168.10.20")) == "203.0.113.7"
    assert client_address(request_from(VARNISH, "garbage, 203.0.113.7:51000")) == "203.0.113.7"
    assert client_address(request_from(VARNISH, "::ffff:203.0.113.7")) == "203.0.113.7"
    # A request from inside (a health check) is the proxy's own.
    assert client_address(request_from(VARNISH)) == VARNISH


def test_with_no_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from(VARNISH, "203.0.113.7")) == VARNISH


def test_why_ipwares_own_trusted_proxy_list_is_not_used():
    """python-ipware's proxy list matches the header's trailing entries and
    never looks at the TCP peer: a client connecting directly, writing the
    proxy's address itself, would pick any address it likes."""
    spoofed = request_from("203.0.113.66", f"198.51.100.1, {VARNISH}")
    chosen, trusted = IpWare(proxy_list=[VARNISH]).get_client_ip(spoofed.META)
    assert (str(chosen), trusted) == ("198.51.100.1", True)
    assert client_address(spoofed) == "203.0.113.66"
