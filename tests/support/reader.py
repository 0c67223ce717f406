"""A reader's browser in plain HTTP, at a loopback address of its own
(127.0.0.2, 127.0.0.3, ...), so that a proxy in front sees distinct clients."""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class Reader:
    """A browser at its own address: keeps its cookies, sends forms with their CSRF token."""

    def __init__(self, base_url, address):
        parts = urlsplit(base_url)
        self.host, self.port, self.address = parts.hostname, parts.port, address
        self.cookies = {}

    def request(self, method, path, fields=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=20, source_address=(self.address, 0))
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{self.host}:{self.port}"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        connection.request(method, path, body=body, headers={"Host": f"{self.host}:{self.port}", **headers})
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, text

    def post_form(self, path, fields, headers=None):
        """GET the form for its CSRF token, then POST it."""
        status, page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path} ({status})"
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token.group(1)}, headers)[0]
