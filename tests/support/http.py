"""Local HTTP: stand-ins for outside services, and plain fetches."""

import threading
import urllib.error
import urllib.request


class LocalHTTPServer:
    """A tiny HTTP server on 127.0.0.1 standing in for a third-party service.

    `routes` maps a path to (status, content type, body); every request is
    recorded in `requests` as (method, path, body).
    """

    def __init__(self):
        import http.server

        self.routes = {}
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, body))
                path = self.path.split("?", 1)[0]
                status, content_type, payload = outer.routes.get(path, (404, "text/plain", "not found"))
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def reachable(url):
    try:
        urllib.request.urlopen(url + "/healthz", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def fetch(url, method="GET", cookie=None):
    request = urllib.request.Request(url, method=method, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
