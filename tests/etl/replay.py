"""A local HTTP server for the ETL's tests: publishers' answers replayed on 127.0.0.1 (no test
touches the internet). `served(answer)` runs `answer(request) -> (status, headers, body)` for every
GET, where `request` is the handler (its .path, .headers, .server); it yields the base URL."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[BaseHTTPRequestHandler], tuple[int, dict, bytes]]


@contextmanager
def served(answer: Answer) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            code, headers, body = answer(self)
            self.send_response(code)
            if code != 304:
                headers = {**headers, "Content-Length": str(len(body))}
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if code != 304:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
