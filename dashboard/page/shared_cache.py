"""What the app processes share (issue 18): the outputs of the page's callbacks, in Redis when
IDLIB_REDIS_URL names one (Flask-Caching's RedisCache), so that a chart one process or server drew
is served by every other; without it, nothing is shared and each process keeps its own caches.

Each entry is keyed by the warehouse version, the callback and a hash of its inputs: a newly
published version is never answered from an older version's entries (they expire after
IDLIB_CACHE_SECONDS). Redis being down or slow never fails a request: the output is computed as
without it, and the trouble logged once a minute at most.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable

from flask import current_app, has_app_context
from flask_caching import Cache

from dashboard import config

log = logging.getLogger(__name__)
PREFIX = "idlib:"
_cache = Cache()
_warned = [0.0]  # when trouble with Redis was last logged (a log line, not a user's state)


def init(server) -> None:
    """Bind the shared cache to the Flask server when IDLIB_REDIS_URL names a Redis."""
    settings = config.server()
    url = settings.redis_url
    if not url:
        return
    _cache.init_app(server, config={
        "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": PREFIX,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_seconds,
        "CACHE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}})


def key(kind: str, version: str, inputs) -> str:
    """`kind:version:sha256 of the inputs` (JSON, keys sorted)."""
    digest = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:{version}:{digest}"


def _trouble(what: str, exc: Exception) -> None:
    if time.monotonic() - _warned[0] > 60:
        _warned[0] = time.monotonic()
        log.warning("shared cache (Redis) %s failed, computing without it: %s", what, exc)


def shared(kind: str, version: str, inputs, compute: Callable[[], object]):
    """The cached output for (kind, version, inputs), or compute() stored for the other processes."""
    if not has_app_context() or _cache not in current_app.extensions.get("cache", {}):
        return compute()  # no IDLIB_REDIS_URL (or called outside the app: a test, an export): nothing shared
    name = key(kind, version, inputs)
    try:
        found = _cache.get(name)
    except Exception as exc:  # noqa: BLE001 - any trouble with Redis: answer without it
        _trouble("read", exc)
        return compute()
    if found is not None:
        return found
    out = compute()
    try:
        _cache.set(name, out)
    except Exception as exc:  # noqa: BLE001
        _trouble("write", exc)
    return out
