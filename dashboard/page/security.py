"""The server's answers to hostile requests: security headers on every response, a size limit on
request bodies, 404 for unknown component paths and 400 for callback requests Dash did not make.

- Headers: a Content-Security-Policy that allows only the server's own scripts, plus the hashes
  of Dash's inline scripts (`Dash.csp_hashes()`: the renderer's one line; the page has no inline
  clientside callback, they live in assets/*.js); styles may be inline (plotly.js sets styles on
  the elements it draws and adds a <style> element of its own); images also from data: and blob:
  URLs (plotly's images, downloads); requests only to the server itself (callbacks, the map's
  topojson). No framing (frame-ancestors and X-Frame-Options), no MIME sniffing, no referrer sent
  to the sites the source links lead to.
- Bodies: Flask's MAX_CONTENT_LENGTH; a larger body is answered 413 before it is read (a chunked
  callback body, without a length, is read up to the limit).
- /_dash-component-suites/ paths that name no file Dash serves: 404 (Dash raises, which was 500).
- A callback request whose body is not the shape of one the page sends (unknown callback, inputs
  not matching its declaration): 400 before Dash looks at it (it raised, which was 500).

A small `after_request` hook rather than flask-talisman: the headers are fixed strings, and
Talisman's defaults (redirect to https, HSTS, secure cookies) would have to be turned off for a
dashboard served on http://127.0.0.1 or behind an operator's proxy; it would not compute Dash's
script hashes either.
"""
from __future__ import annotations

from dash import Dash
from dash.exceptions import DependencyException
from flask import abort, request
from werkzeug.exceptions import NotFound

from dashboard.config import DEFAULT_MAX_BODY_KB  # noqa: F401  (re-exported for create_app and tests)


def content_security_policy(script_hashes) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(script_hashes) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(script_hashes),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def _is_dependency(item, declared: dict) -> bool:
    """An input or state as the page sends it: its declared id and property (a pattern-matching
    dependency comes as a list of them)."""
    if isinstance(item, list):
        return all(isinstance(i, dict) and "id" in i and isinstance(i.get("property"), str) for i in item)
    return isinstance(item, dict) and item.get("id") == declared["id"] and item.get("property") == declared["property"]


def callback_body_ok(body, callback_map: dict) -> bool:
    """Whether a /_dash-update-component body has the shape of one the page sends."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str) or body["output"] not in callback_map:
        return False
    declared = callback_map[body["output"]]
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or len(items) != len(declared[key]):
            return False
        if not all(_is_dependency(item, spec) for item, spec in zip(items, declared[key])):
            return False
    outputs = body.get("outputs", [])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    if not all(isinstance(o, dict) or (isinstance(o, list) and all(isinstance(i, dict) for i in o)) for o in outputs):
        return False
    changed = body.get("changedPropIds", [])
    return isinstance(changed, list) and all(isinstance(c, str) for c in changed)


def harden(app: Dash, max_body_bytes: int) -> None:
    """Call once every callback is registered (the hashes cover inline clientside callbacks)."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    headers = security_headers(app.csp_hashes())
    update_path = f"{app.config.routes_pathname_prefix}_dash-update-component"

    @server.before_request
    def check_callback_body():
        """A Content-Length over the limit is refused (413) before the body is read; a chunked body
        is read up to the limit and refused when it reaches it. Dash reuses the parsed JSON."""
        if request.method == "POST" and request.path == update_path:
            if request.content_length is None and len(request.get_data()) >= max_body_bytes:
                abort(413)
            if not callback_body_ok(request.get_json(silent=True), app.callback_map):
                abort(400)

    @server.after_request
    def add_security_headers(response):
        for name, value in headers.items():
            response.headers[name] = value
        return response

    server.register_error_handler(DependencyException, lambda _exc: NotFound())
