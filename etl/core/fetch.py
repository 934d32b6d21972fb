"""Download a source file for the ETL, with timeouts, retries and a local cache.

A sources-file entry with a `url` (HDX, ReliefWeb, ACLED exports...) is fetched here before its
adapter reads it. The download streams into a temporary file inside the cache, is hashed while
it is written, is checked against Content-Length (and against `expected_sha256` when the sources
file pins one) and only then is renamed into place, so a cut-short download never becomes a cache
entry.

Cache layout, one folder per URL:

    <cache_dir>/<sha256(url)[:16]>/<content sha256>.<ext>   each version downloaded
    <cache_dir>/<sha256(url)[:16]>/meta.json                 the current version: url, sha256,
                                                             retrieved_at, content_type, size, file,
                                                             etag / last_modified (the server's
                                                             validators), checked_at (a 304's time)

`offline=True` never touches the network and returns the current cached version. Online, a URL
with a cached copy is asked for conditionally (If-None-Match / If-Modified-Since from the
validators the server gave): an HTTP 304 returns the cached copy without downloading it again. Online, a
failed download is an error even when a cached copy exists; the message says to run with
--offline to use that copy, so stale data is never used without the user asking for it.

Bounds (etl/core/limits.py, from the run's settings): `timeout` without data, an overall
`deadline` (retries and waits included: a server trickling a byte at a time cannot hold a run
forever) and `max_bytes` (a body announced or grown beyond it is dropped, not retried). A
temporary file is locked while its download runs; one left by a killed run is removed by the next
(`remove_stale_parts`).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import mimetypes
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import requests
import urllib3

from etl.core import limits
from etl.core.issues import SourceError

CHUNK = 1 << 16
META = "meta.json"
PART_PREFIX = ".part-"  # temporary files; never read as cache entries
USER_AGENT = "idlib-displacement-dashboard-etl (+offline-first humanitarian dashboard)"

Progress = Callable[[int, int | None], None]  # (bytes done, total bytes or None)


@dataclass(frozen=True)
class Fetched:
    """A downloaded (or cached) source file."""

    path: Path
    sha256: str
    url: str
    retrieved_at: str  # ISO 8601, UTC
    from_cache: bool


class FetchError(SourceError):
    """A URL could not be fetched; the message names the URL, the attempts and the last cause."""

    def __init__(self, url: str, message: str):
        super().__init__(url, message)
        self.url = url


class _Retryable(Exception):
    """A failure worth another attempt (connection, timeout, HTTP 5xx/429, body cut short);
    `after`: the seconds the server asked to wait (Retry-After), if it did."""

    def __init__(self, message: str, after: float | None = None):
        super().__init__(message)
        self.after = after


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date; None if absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class _HttpError(Exception):
    """An HTTP error that another attempt will not fix (4xx other than 429)."""


class _NotModified(Exception):
    """HTTP 304: the cached copy is the server's current one."""


class _Beyond(Exception):
    """The download went beyond a limit (size or deadline): not retried."""


def _part_file(folder: Path, suffix: str) -> tuple[int, str]:
    """A new temporary file in `folder`, locked (flock) for as long as its descriptor is open, so
    that `remove_stale_parts` in another run leaves it alone."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=PART_PREFIX, suffix=suffix)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, tmp


def remove_stale_parts(cache_dir: Path) -> int:
    """Remove the temporary files of downloads that died (killed runs); the number removed.
    A file another run is still writing is locked, and kept."""
    removed = 0
    for part in Path(cache_dir).glob(f"*/{PART_PREFIX}*"):
        try:
            fd = os.open(part, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            part.unlink(missing_ok=True)
            removed += 1
        except OSError:
            pass  # locked: a download in progress
        finally:
            os.close(fd)
    return removed


def url_key(url: str) -> str:
    """The cache folder name of a URL."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def extension(url: str, content_type: str | None) -> str:
    """File extension from the URL's path ('.csv', '.xlsx'), else from Content-Type, else 'bin'."""
    suffix = Path(urlparse(url).path).suffix.lstrip(".").lower()
    if re.fullmatch(r"[a-z0-9]{1,8}", suffix):
        return suffix
    guessed = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) if content_type else None
    return guessed.lstrip(".") if guessed else "bin"


def read_meta(folder: Path) -> dict | None:
    """The cached current version of a URL, or None when there is none (or it is unreadable)."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or not (folder / str(meta.get("file", ""))).is_file():
        return None
    return meta


def _write_meta(folder: Path, meta: dict) -> None:
    fd, tmp = _part_file(folder, ".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(meta, out, indent=2, sort_keys=True)
        os.replace(tmp, folder / META)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _cached(url: str, folder: Path, expected_sha256: str | None) -> Fetched:
    """The current cached version, checked against its recorded (and any expected) sha256."""
    meta = read_meta(folder)
    if meta is None:
        raise FetchError(url, "no cached copy of URL; run once online without --offline")
    path = folder / meta["file"]
    actual = file_sha256(path)
    if actual != meta.get("sha256"):
        raise FetchError(url, f"the cached copy {path} is damaged (sha256 {actual}, recorded {meta.get('sha256')}); "
                              "run once online without --offline to download it again")
    if expected_sha256 and actual != expected_sha256.lower():
        raise FetchError(url, f"the cached copy has sha256 {actual}, expected {expected_sha256.lower()}; "
                              "run online without --offline to fetch the expected file")
    return Fetched(path, actual, url, meta["retrieved_at"], from_cache=True)


def _is_timeout(exc: Exception) -> bool:
    if isinstance(exc, requests.Timeout):
        return True
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, urllib3.exceptions.TimeoutError) or "timed out" in str(exc).lower()


def _bytes_received(exc: BaseException, done: int) -> int:
    """Bytes that arrived before a body was cut short: urllib3's IncompleteRead knows the bytes it
    read but did not hand over."""
    stack = [exc]
    while stack:
        error = stack.pop()
        partial = getattr(error, "partial", None)
        if isinstance(partial, int):
            return max(done, partial)
        stack.extend(a for a in getattr(error, "args", ()) if isinstance(a, BaseException))
    return done


def _expected_length(response: requests.Response) -> int | None:
    """Content-Length, when it counts the bytes we receive (no Content-Encoding)."""
    length = response.headers.get("Content-Length", "")
    encoding = response.headers.get("Content-Encoding", "identity").lower()
    return int(length) if length.isdigit() and encoding == "identity" else None


@dataclass(frozen=True)
class _Budget:
    """What one fetch may spend: seconds without data, the overall deadline, the size cap."""

    timeout: float
    deadline: float  # seconds, for messages
    ends: float  # time.monotonic() at the deadline
    max_bytes: int

    def left(self) -> float:
        return self.ends - time.monotonic()

    def wait(self) -> float:
        """Seconds to wait for a connection or for data: the timeout, cut to the deadline."""
        return max(0.001, min(self.timeout, self.left()))

    def late(self, done: int) -> _Beyond:
        what = f"the download took longer than allowed ({limits.human(done)} received)"
        return _Beyond(limits.active().beyond(what, "deadline", self.deadline))

    def too_big(self, what: str) -> _Beyond:
        return _Beyond(limits.active().beyond(what, "size", self.max_bytes))


def _read_chunk(response: requests.Response) -> bytes:
    """What has arrived, up to CHUNK bytes, without waiting for a whole chunk (a server trickling
    a byte at a time would otherwise hold each read until CHUNK bytes came)."""
    raw = response.raw
    return raw.read1(CHUNK) if hasattr(raw, "read1") else raw.read(CHUNK)


def _stream(response: requests.Response, out, digest, progress: Progress | None, budget: _Budget) -> int:
    """Write the body to `out`, hashing it; raises _Retryable when the body is cut short, _Beyond
    past the size cap or the deadline."""
    expected = _expected_length(response)
    if expected is not None and expected > budget.max_bytes:
        raise budget.too_big(f"the server announces {limits.human(expected)}")
    done = 0
    try:
        while True:
            if budget.left() <= 0:
                raise budget.late(done)
            chunk = _read_chunk(response)
            if not chunk:
                break
            done += len(chunk)
            if done > budget.max_bytes:
                raise budget.too_big(f"more than {limits.human(budget.max_bytes)} arrived")
            out.write(chunk)
            digest.update(chunk)
            if progress is not None:
                progress(done, expected)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        if _is_timeout(exc):
            raise _Retryable(f"read timed out: no data for {budget.wait():g} s after {done} bytes") from exc
        if expected is not None and done < expected:
            raise _Retryable(f"body cut short: expected {expected} bytes, got {_bytes_received(exc, done)}") from exc
        raise _Retryable(f"connection broken after {done} bytes: {exc}") from exc
    if expected is not None and done != expected:
        raise _Retryable(f"body cut short: expected {expected} bytes, got {done}")
    return done


def _download(session, url: str, folder: Path, budget: _Budget, progress: Progress | None,
              headers: dict | None = None) -> tuple[Path, str, int, str, dict]:
    """One attempt: (temporary file, sha256, size, content type, the response's validators: etag,
    last_modified). The temporary file is removed on any failure; HTTP 304 raises _NotModified."""
    wait = budget.wait()
    try:
        response = session.get(url, stream=True, timeout=(wait, wait), headers={"User-Agent": USER_AGENT, **(headers or {})})
    except requests.RequestException as exc:
        if _is_timeout(exc):
            raise _Retryable(f"timed out: no response within {wait:g} s") from exc
        raise _Retryable(f"could not connect: {exc}") from exc
    with response:
        status = f"HTTP {response.status_code} {response.reason or ''}".strip()
        if response.status_code == 304:
            raise _NotModified(status)
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(status, retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 400:
            raise _HttpError(status)
        fd, tmp = _part_file(folder, ".tmp")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                size = _stream(response, out, digest, progress, budget)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    validators = {"etag": response.headers.get("ETag"), "last_modified": response.headers.get("Last-Modified")}
    return Path(tmp), digest.hexdigest(), size, response.headers.get("Content-Type", ""), \
        {k: v for k, v in validators.items() if v}


def _give_up(url: str, folder: Path, what: str) -> FetchError:
    meta = read_meta(folder)
    if meta is None:
        return FetchError(url, f"{what}. No cached copy exists yet.")
    return FetchError(
        url,
        f"{what}. A cached copy retrieved {meta.get('retrieved_at')} exists ({folder / meta['file']}); "
        "run with --offline to use it.",
    )


def fetch(
    url: str,
    cache_dir: Path,
    *,
    offline: bool = False,
    timeout: float | None = None,
    deadline: float | None = None,
    max_bytes: int | None = None,
    retries: int = 3,
    backoff: float = 1.0,
    expected_sha256: str | None = None,
    session=None,
    progress: Progress | None = None,
    headers: dict | None = None,
    refused_hint: str = "",
) -> Fetched:
    """Download `url` into the cache (or, offline, return the cached copy).

    timeout: seconds to connect and seconds without data while reading.
    deadline: seconds for the whole fetch, attempts and waits included.
    max_bytes: the largest body accepted.
        (All three default to the active limits: etl/core/limits.py.)
    retries: further attempts after the first, waiting backoff, 2 x backoff, 4 x backoff ...;
        only connection errors, timeouts, HTTP 5xx/429 and cut-short bodies are retried.
    expected_sha256: the download must have this hash, or it is an error and is not cached.
    session: a requests.Session (or anything with its get()), for tests and connection reuse.
    progress: called with (bytes done, total or None) as the body arrives.
    headers: further request headers (an access token): sent, never written to the cache or a message.
    refused_hint: said after an HTTP 401 or 403 (which token to set, where to get one).
    A 429 or 503 with Retry-After waits what the server asks (within the deadline), else the backoff.
    """
    folder = Path(cache_dir) / url_key(url)
    if offline:
        return _cached(url, folder, expected_sha256)
    if urlparse(url).scheme not in ("http", "https"):
        raise FetchError(url, "expected an http(s) URL")
    bound = limits.active()
    deadline = bound.deadline if deadline is None else deadline
    budget = _Budget(bound.timeout if timeout is None else timeout, deadline, time.monotonic() + deadline,
                     bound.size if max_bytes is None else max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    before = read_meta(folder)
    if before is not None and (expected_sha256 is None or before.get("sha256") == expected_sha256.lower()):
        # a conditional request: a server that says the cached copy is current sends no body again
        conditional = {"If-None-Match": before.get("etag"), "If-Modified-Since": before.get("last_modified")}
        headers = {**(headers or {}), **{k: v for k, v in conditional.items() if v}}
    own_session = session is None
    session = requests.Session() if own_session else session
    attempts, cause = 0, ""
    try:
        while attempts <= retries:
            attempts += 1
            try:
                tmp, sha, size, content_type, validators = _download(session, url, folder, budget, progress, headers)
                break
            except _NotModified:
                checked = {**before, "checked_at": datetime.now(UTC).isoformat(timespec="seconds")}
                _write_meta(folder, checked)
                return Fetched(folder / before["file"], before["sha256"], url, before["retrieved_at"], from_cache=True)
            except _Retryable as exc:
                cause = str(exc)
                pause = backoff * 2 ** (attempts - 1) if exc.after is None else exc.after
                if attempts <= retries and pause >= budget.left():
                    raise _give_up(url, folder, f"stopped after {attempts} attempt(s): another would end after "
                                                f"the deadline; last: {cause}. {bound.hint('deadline')}") from None
                if attempts <= retries:
                    time.sleep(pause)
            except _HttpError as exc:
                if refused_hint and str(exc).split()[1:2] in (["401"], ["403"]):
                    raise _give_up(url, folder, f"{exc}: the server refused the credentials; {refused_hint}") from None
                raise _give_up(url, folder, f"{exc}; not retried (the address is wrong or the file was removed)") from None
            except _Beyond as exc:
                raise _give_up(url, folder, f"{exc} (not retried; nothing was kept)") from None
        else:
            raise _give_up(url, folder, f"gave up after {attempts} attempt(s); last: {cause}")
    finally:
        if own_session:
            session.close()
    if expected_sha256 and sha != expected_sha256.lower():
        tmp.unlink(missing_ok=True)
        raise _give_up(
            url, folder,
            f"downloaded file has sha256 {sha}, expected {expected_sha256.lower()} (the publisher may have changed "
            "the file: check it, then update expected_sha256)",
        )
    retrieved_at = datetime.now(UTC).isoformat(timespec="seconds")
    path = folder / f"{sha}.{extension(url, content_type)}"
    os.replace(tmp, path)
    meta = {"url": url, "sha256": sha, "retrieved_at": retrieved_at, "content_type": content_type,
            "size": size, "file": path.name, **validators}
    _write_meta(folder, meta)
    return Fetched(path, sha, url, retrieved_at, from_cache=False)
