"""A minimal Dash client that drives a served Dash app over HTTP as Dash's renderer does.

    client = DashClient("http://127.0.0.1:8050")
    first = client.load()                      # GET /, /_dash-layout, /_dash-dependencies + first-view callbacks
    step = client.set("home-etypes", "value", ["Battles"])   # one user action, with its cascade
    step.seconds, [r.raw_bytes for r in step.requests]

What it reproduces of the renderer (dash-renderer 4.x, read from the installed dash package):
- the layout's component props are kept by id; dcc.Location fills pathname, href, search and
  hash from the URL on mount, as its componentDidMount does;
- on page load every callback with an output in the layout fires unless prevent_initial_call
  (callbacks whose inputs are all missing are not fired);
- a changed prop fires every callback having it as an Input whose outputs are in the layout;
  a callback waits while any of its inputs may still be changed by a pending or running
  callback; ready callbacks are sent together (up to 6 connections, as a browser per host) and
  the step ends when the last response of the cascade is applied;
- the POST body to /_dash-update-component: output, outputs (a list when the output string is
  multi-output, "..a.b...c.d.."), inputs and state as [{id, property, value}], changedPropIds
  and parsedChangedPropsIds;
- responses: {"multi": true, "response": {id: {prop: value}}} (and "sideUpdate"), 204 =
  PreventUpdate; Patch values ({"__dash_patch_update": ...}) are applied with the renderer's
  operations; components returned in `children` are indexed and their initial callbacks fire.
- background callbacks (their spec has "background"): the first answer holds a cacheKey and a job;
  the same request is sent again with them in the query string every `interval` ms until the
  answer holds the response (or 204), which ends the request (its time, bytes and polls summed).
Not reproduced: clientside callbacks (JavaScript) and pattern-matching (ALL/MATCH/ALLSMALLER)
callbacks are listed in `Step.skipped` and not run; dcc.Interval does not tick by itself.

Each request is recorded: callback, wall-clock latency, bytes as decoded (raw), as received on
the wire (compressed when the server sent Content-Encoding), gzip size of the body (what
compression would send), and whether the body carries GeoJSON geometry.
"""
from __future__ import annotations

import gzip
import http.client
import json
import threading
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

GEOMETRY_MARKERS = (b'"coordinates"', b"FeatureCollection")
WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")
NOT_WALKED = frozenset({"figure", "data", "style", "marks", "extendData", "prependData"})
BROWSER_CONNECTIONS = 6  # a browser's parallel HTTP/1.1 connections per host


class DashClientError(Exception):
    """The app answered something the client cannot use (an HTTP error on a page request, bad JSON)."""


def id_key(component_id) -> str:
    """The renderer's stringifyId: a string id as is, a dict id as JSON with sorted keys."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _parse_id(text: str):
    return json.loads(text) if text.startswith("{") else text


def split_output(output: str) -> list[tuple[str, str]]:
    """'..a.b...c.d..' or 'a.b' -> [(id, prop)] (the id is cut at the last dot, as the renderer does)."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        at = part.rfind(".")
        out.append((part[:at], part[at + 1:]))
    return out


def clean_prop(prop: str) -> str:
    """'figure@3f2a' (allow_duplicate) -> 'figure'."""
    return prop.split("@")[0]


def has_wildcard(component_id) -> bool:
    return isinstance(component_id, dict) and any(
        isinstance(v, list | tuple) and len(v) == 1 and v[0] in WILDCARDS for v in component_id.values()
    )


def is_component(value) -> bool:
    return isinstance(value, dict) and "props" in value and "type" in value and "namespace" in value


def components_in(value, skip=NOT_WALKED):
    """Every component dict inside a layout value (children, nested props), depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        if is_component(item):
            yield item
            stack.extend(v for k, v in item["props"].items() if k not in skip and isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))


# --- Patch -----------------------------------------------------------------------------------------

def _resolve(location: list, value) -> list:
    """Negative list indices made positive, as the renderer's getLocationPath does."""
    out, current = [], value
    for key in location:
        if isinstance(key, int) and key < 0 and isinstance(current, list):
            key = len(current) + key
        out.append(key)
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            current = None
    return out


def _get(value, path):
    for key in path:
        value = value[key]
    return value


def _assoc(value, path, new):
    """A copy of `value` with `new` at `path` (missing dicts created), like ramda's assocPath."""
    if not path:
        return new
    key, rest = path[0], path[1:]
    if isinstance(value, list) and isinstance(key, int):
        out = list(value)
        while len(out) <= key:
            out.append(None)
        out[key] = _assoc(out[key], rest, new)
        return out
    out = dict(value) if isinstance(value, dict) else {}
    out[key] = _assoc(out.get(key), rest, new)
    return out


def _dissoc(value, path):
    if len(path) == 1:
        out = list(value) if isinstance(value, list) else dict(value)
        del out[path[0]]
        return out
    return _assoc(value, path[:1], _dissoc(value[path[0]], path[1:]))


def _insert(items: list, index: int, value) -> list:
    at = len(items) + index if index < 0 else index
    return items[:at] + [value] + items[at:]


_PATCH_OPS = {
    "Assign": lambda prev, p: p["value"],
    "Merge": lambda prev, p: {**(prev or {}), **p["value"]},
    "Extend": lambda prev, p: list(prev) + list(p["value"]),
    "Append": lambda prev, p: list(prev) + [p["value"]],
    "Prepend": lambda prev, p: [p["value"]] + list(prev),
    "Insert": lambda prev, p: _insert(list(prev), p["index"], p["value"]),
    "Add": lambda prev, p: prev + p["value"],
    "Sub": lambda prev, p: prev - p["value"],
    "Mul": lambda prev, p: prev * p["value"],
    "Div": lambda prev, p: prev / p["value"],
    "Clear": lambda prev, p: type(prev)() if isinstance(prev, list | dict | str) else None,
    "Reverse": lambda prev, p: list(reversed(prev)),
    "Remove": lambda prev, p: [v for v in prev if v != p["value"]],
}


def is_patch(value) -> bool:
    return isinstance(value, dict) and value.get("__dash_patch_update") == "__dash_patch_update"


def apply_patch(previous, patch: dict):
    """The value after a dash.Patch's operations (the renderer's handlePatch)."""
    value = previous
    for op in patch["operations"]:
        path = _resolve(op["location"], value)
        if op["operation"] == "Delete":
            value = _dissoc(value, path)
            continue
        handler = _PATCH_OPS.get(op["operation"])
        if handler is None:
            raise DashClientError(f"Patch operation {op['operation']!r} is not known to the client")
        prev = None
        if op["operation"] != "Assign":
            prev = _get(value, path) if path else value
        value = _assoc(value, path, handler(prev, op.get("params", {})))
    return value


# --- records -----------------------------------------------------------------------------------------

@dataclass
class Request:
    """One HTTP request of a step."""

    label: str  # the callback's output string, or 'GET /_dash-layout'
    triggers: list[str]
    status: int
    seconds: float
    raw_bytes: int
    wire_bytes: int
    encoding: str | None
    gzip_bytes: int = 0
    has_geometry: bool = False
    error: str | None = None
    body: bytes | None = field(default=None, repr=False)
    polls: int = 0  # a background callback's polls until its answer

    def finish(self, keep_body: bool = False) -> None:
        """Sizes that cost CPU, computed after the step's clock stopped."""
        if self.body is not None:
            self.gzip_bytes = self.wire_bytes if self.encoding == "gzip" else len(gzip.compress(self.body, 6))
            self.has_geometry = any(marker in self.body for marker in GEOMETRY_MARKERS)
            if not keep_body:
                self.body = None


@dataclass
class Step:
    """One user action (or the page load) and every request it caused."""

    label: str
    seconds: float = 0.0
    requests: list[Request] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def raw_bytes(self) -> int:
        return sum(r.raw_bytes for r in self.requests)

    @property
    def wire_bytes(self) -> int:
        return sum(r.wire_bytes for r in self.requests)

    @property
    def gzip_bytes(self) -> int:
        return sum(r.gzip_bytes for r in self.requests)

    @property
    def has_geometry(self) -> bool:
        return any(r.has_geometry for r in self.requests)

    @property
    def errors(self) -> list[str]:
        return [f"{r.label}: {r.error}" for r in self.requests if r.error]


@dataclass
class Callback:
    index: int
    spec: dict
    outputs: list[tuple[str, str]]  # (id key, prop as declared, '@hash' kept)
    inputs: list[tuple[str, str]]
    state: list[tuple[str, str]]
    skip_reason: str | None

    @property
    def label(self) -> str:
        return self.spec["output"]


def parse_callbacks(specs: list[dict]) -> list[Callback]:
    out = []
    for i, spec in enumerate(specs):
        outputs = [(id_key(_parse_id(cid)), prop) for cid, prop in split_output(spec["output"])] if not spec.get("no_output") else []
        ids = [_parse_id(cid) for cid, _ in split_output(spec["output"])] + [d["id"] for d in spec.get("inputs", []) + spec.get("state", [])]
        reason = None
        if spec.get("clientside_function"):
            reason = "clientside (JavaScript) callback: not run by the HTTP client"
        elif any(has_wildcard(cid) for cid in ids):
            reason = "pattern-matching (ALL/MATCH/ALLSMALLER) callback: not run by the HTTP client"
        out.append(Callback(
            i, spec, outputs,
            [(id_key(d["id"]), d["property"]) for d in spec.get("inputs", [])],
            [(id_key(d["id"]), d["property"]) for d in spec.get("state", [])],
            reason,
        ))
    return out


# --- the client ---------------------------------------------------------------------------------------

class DashClient:
    """Drives one served Dash app as one browser tab would."""

    def __init__(self, base_url: str, timeout: float = 300.0, connections: int = BROWSER_CONNECTIONS,
                 keep_bodies: bool = False):
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/") + "/"
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/") + "/"
        self.timeout = timeout
        self.keep_bodies = keep_bodies
        self.accept_encoding = "gzip, deflate"
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=connections, thread_name_prefix="dash-client")
        self.layout: dict | None = None
        self.callbacks: list[Callback] = []
        self.components: dict[str, dict] = {}  # id key -> component (its "props" are the live props)

    # HTTP ---------------------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return conn

    def _http(self, method: str, path: str, body: bytes | None = None) -> tuple[int, dict, bytes, float]:
        """(status, headers, body as on the wire, seconds); one retry on a closed keep-alive connection."""
        headers = {"Accept-Encoding": self.accept_encoding, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, self.prefix + path.lstrip("/"), body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                seconds = time.perf_counter() - started
                if resp.will_close:
                    conn.close()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, seconds
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self._local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    @staticmethod
    def _decode(headers: dict, data: bytes) -> bytes:
        encoding = headers.get("content-encoding")
        if encoding == "gzip":
            return gzip.decompress(data)
        if encoding == "deflate":
            return zlib.decompress(data)
        if encoding in (None, "identity"):
            return data
        raise DashClientError(f"response Content-Encoding {encoding!r} not understood")

    def _fetch(self, method: str, path: str, label: str, triggers=(), body: bytes | None = None) -> tuple[Request, bytes]:
        status, headers, wire, seconds = self._http(method, path, body)
        raw = self._decode(headers, wire)
        record = Request(label, list(triggers), status, seconds, len(raw), len(wire), headers.get("content-encoding"),
                         body=raw)
        if status >= 400:
            record.error = f"HTTP {status}: {raw[:300].decode('utf-8', 'replace')}"
        return record, raw

    def get_json(self, path: str, step: Step):
        record, raw = self._fetch("GET", path, f"GET {path}")
        step.requests.append(record)
        if record.error:
            raise DashClientError(f"GET {path}: {record.error}")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise DashClientError(f"GET {path}: expected JSON ({exc})") from None

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # layout ---------------------------------------------------------------------------------------

    def _index(self) -> None:
        self.components = {}
        for comp in components_in(self.layout):
            cid = comp["props"].get("id")
            if cid is not None:
                self.components[id_key(cid)] = comp

    def props(self, component_id) -> dict:
        """The live props of a component (KeyError if it is not in the layout)."""
        return self.components[id_key(component_id)]["props"]

    def get(self, component_id, prop: str):
        return self.props(component_id).get(prop)

    def has(self, component_id) -> bool:
        return id_key(component_id) in self.components

    def _value_of(self, key: str, prop: str) -> dict:
        comp = self.components.get(key)
        item = {"id": _parse_id(key), "property": prop}
        if comp is not None and prop in comp["props"]:  # the renderer leaves out an undefined value
            item["value"] = comp["props"][prop]
        return item

    def _mount_locations(self, url_path: str = "/") -> set[tuple[str, str]]:
        """dcc.Location sets its props from window.location on mount (props left unset only)."""
        changed = set()
        parts = urlsplit(url_path)
        location = {"pathname": parts.path or "/", "href": self.base_url.rstrip("/") + url_path,
                    "search": f"?{parts.query}" if parts.query else "", "hash": f"#{parts.fragment}" if parts.fragment else ""}
        for key, comp in self.components.items():
            if comp.get("type") == "Location":
                for prop, value in location.items():
                    if comp["props"].get(prop) is None:
                        comp["props"][prop] = value
                        changed.add((key, prop))
        return changed

    # callbacks ------------------------------------------------------------------------------------

    def _outputs_present(self, cb: Callback) -> bool:
        return not cb.outputs or any(k in self.components for k, _ in cb.outputs)

    def _triggered_by(self, changed: set[tuple[str, str]], step: Step) -> dict[int, list[str]]:
        """Callbacks having a changed prop as Input (and an output in the layout)."""
        found: dict[int, list[str]] = {}
        for cb in self.callbacks:
            hits = [f"{k}.{p}" for k, p in cb.inputs if (k, p) in changed]
            if not hits or not self._outputs_present(cb):
                continue
            if cb.skip_reason:
                step.skipped.append(f"{cb.label}: {cb.skip_reason}")
                continue
            found[cb.index] = hits
        return found

    def _initial(self, keys: set[str] | None, step: Step) -> dict[int, list[str]]:
        """First calls of callbacks with an output among `keys` (None: the whole layout)."""
        found = {}
        for cb in self.callbacks:
            if cb.spec.get("prevent_initial_call") or not cb.outputs:
                continue
            if not any(k in self.components and (keys is None or k in keys) for k, _ in cb.outputs):
                continue
            if cb.inputs and not any(k in self.components for k, _ in cb.inputs):
                continue
            if cb.skip_reason:
                step.skipped.append(f"{cb.label}: {cb.skip_reason}")
                continue
            found[cb.index] = []
        return found

    def _chunk_callbacks(self, keys: set[str], step: Step) -> dict[int, list[str]]:
        """Callbacks a new layout chunk (components returned in children) fires: first calls of
        those with an output in it, and those with an input in it and their outputs outside."""
        found = self._initial(keys, step)
        for cb in self.callbacks:
            hits = [f"{k}.{p}" for k, p in cb.inputs if k in keys]
            if not hits or cb.index in found or all(k in keys for k, _ in cb.outputs) or not self._outputs_present(cb):
                continue
            if cb.skip_reason:
                step.skipped.append(f"{cb.label}: {cb.skip_reason}")
                continue
            found[cb.index] = hits
        return found

    def _payload(self, cb: Callback, triggers: list[str]) -> bytes:
        outputs = [{"id": _parse_id(k), "property": p} for k, p in cb.outputs]
        body = {
            "output": cb.label,
            "outputs": outputs if cb.label.startswith("..") else (outputs[0] if outputs else []),
            "inputs": [self._value_of(k, p) for k, p in cb.inputs],
            "changedPropIds": triggers,
            "parsedChangedPropsIds": triggers,
        }
        if cb.state:
            body["state"] = [self._value_of(k, p) for k, p in cb.state]
        return json.dumps(body, separators=(",", ":")).encode("utf-8")

    def _post(self, cb: Callback, triggers: list[str], body: bytes) -> tuple[Request, bytes]:
        record, raw = self._fetch("POST", "_dash-update-component", cb.label, triggers, body)
        background = cb.spec.get("background")
        if not background or record.status != 200 or record.error:
            return record, raw
        try:
            handles = json.loads(raw)
        except ValueError:
            return record, raw
        if "cacheKey" not in handles or "job" not in handles:
            return record, raw
        query = urlencode({"cacheKey": handles["cacheKey"], "job": handles["job"]})
        interval = background.get("interval", 1000) / 1000
        started, deadline = time.monotonic() - record.seconds, time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            time.sleep(interval)
            polled, raw = self._fetch("POST", f"_dash-update-component?{query}", cb.label, triggers, body)
            polled.polls = record.polls + 1
            polled.wire_bytes += record.wire_bytes
            record = polled
            if record.error or record.status == 204:
                break
            try:
                answer = json.loads(raw)
            except ValueError:
                break  # _apply names it
            if "response" in answer:
                break
        else:
            record.error = f"background callback: no answer within {self.timeout:.0f} s"
        record.seconds = time.monotonic() - started
        return record, raw

    def _apply(self, cb: Callback, record: Request, raw: bytes) -> tuple[set[tuple[str, str]], set[str]]:
        """Apply a response; returns the changed (id, prop) and the ids of new layout chunks."""
        if record.status == 204 or record.error:
            return set(), set()
        try:
            data = json.loads(raw)
        except ValueError as exc:
            record.error = f"expected JSON ({exc})"
            return set(), set()
        if data.get("multi"):
            updates = dict(data.get("response", {}))
        else:
            key = cb.outputs[0][0] if cb.outputs else ""
            updates = {key: data.get("response", {}).get("props", {})}
        for key, props in (data.get("sideUpdate") or {}).items():
            updates.setdefault(key, {}).update(props)
        changed, new_chunks = set(), set()
        children_changed = False
        for key, props in updates.items():
            key = id_key(_parse_id(key)) if isinstance(key, str) else id_key(key)
            comp = self.components.get(key)
            if comp is None:
                continue
            for prop, value in props.items():
                prop = clean_prop(prop)
                if is_patch(value):
                    # copy on write along the patched paths only, as the renderer does (ramda):
                    # a deep copy of the map's figure cost the client more than the server's answer
                    value = apply_patch(comp["props"].get(prop), value)
                comp["props"][prop] = value
                changed.add((key, prop))
                if prop not in NOT_WALKED and any(True for _ in components_in(value)):
                    children_changed = True
                    new_chunks.update(id_key(c["props"]["id"]) for c in components_in(value) if "id" in c["props"])
        if children_changed:
            self._index()
        return changed, new_chunks

    def _blocked(self, index: int, pending: dict[int, list[str]], running: set[int]) -> bool:
        """True while an input of the callback may still change: an output of a pending or running
        callback, or of a callback those would trigger (transitively)."""
        busy = set(pending) | running
        busy.discard(index)
        changing: set[tuple[str, str]] = set()
        frontier = [self.callbacks[i] for i in busy]
        seen = set(busy)
        while frontier:
            cb = frontier.pop()
            outs = {(k, clean_prop(p)) for k, p in cb.outputs}
            changing |= outs
            for other in self.callbacks:
                if other.index not in seen and other.index != index and any(i in outs for i in other.inputs):
                    seen.add(other.index)
                    frontier.append(other)
        return any(i in changing for i in self.callbacks[index].inputs)

    def _run(self, step: Step, pending: dict[int, list[str]]) -> Step:
        """Send pending callbacks as the renderer does until the cascade ends; times the step.

        Each pending callback keeps its predecessors (the callbacks of the chain that triggered
        it); one that its own chain triggers again is dropped, as the renderer prunes a circular
        callback that has completed its loop (a callback with a prop as both input and output)."""
        started = time.perf_counter()
        chains: dict[int, frozenset[int]] = {i: frozenset() for i in pending}
        running: dict[Future, tuple[int, frozenset[int]]] = {}

        def request(j: int, hits: list[str], chain: frozenset[int]) -> None:
            if j in chain:
                return
            pending[j] = list(dict.fromkeys(pending.get(j, []) + hits))
            chains[j] = chains.get(j, frozenset()) | chain

        while pending or running:
            busy = {i for i, _ in running.values()}
            ready = [i for i in list(pending) if i not in busy and not self._blocked(i, pending, busy)]
            if not ready and not running:
                ready = [next(iter(pending))]  # a cycle: break it as the renderer would, in order
            for i in ready:
                triggers = pending.pop(i)
                cb = self.callbacks[i]
                future = self._pool.submit(self._post, cb, triggers, self._payload(cb, triggers))
                running[future] = (i, chains.pop(i, frozenset()) | {i})
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                i, chain = running.pop(future)
                record, raw = future.result()
                step.requests.append(record)
                changed, chunks = self._apply(self.callbacks[i], record, raw)
                for j, hits in self._triggered_by(changed, step).items():
                    request(j, hits, chain)
                if chunks:
                    for j, hits in self._chunk_callbacks(chunks, step).items():
                        request(j, hits, chain)
        step.seconds = time.perf_counter() - started
        for record in step.requests:
            record.finish(self.keep_bodies)
        step.skipped = list(dict.fromkeys(step.skipped))
        return step

    # the user's actions -----------------------------------------------------------------------------

    def load(self, url_path: str = "/") -> Step:
        """Open the page: index, layout and dependencies (layout and dependencies fetched together,
        as the renderer does), then every first-view callback. The step's `seconds` cover it all."""
        step = Step("first view")
        started = time.perf_counter()
        record, _ = self._fetch("GET", url_path, f"GET {url_path}")
        step.requests.append(record)
        if record.error:
            raise DashClientError(f"GET {url_path}: {record.error}")
        layout = self._pool.submit(self.get_json, "_dash-layout", step)
        deps = self._pool.submit(self.get_json, "_dash-dependencies", step)
        self.layout, specs = layout.result(), deps.result()
        self.callbacks = parse_callbacks(specs)
        self._index()
        located = self._mount_locations(url_path)
        pending = self._initial(None, step)
        for i, hits in self._triggered_by(located, step).items():
            pending[i] = list(dict.fromkeys(pending.get(i, []) + hits))
        self._run(step, pending)
        step.seconds = time.perf_counter() - started
        return step

    def requests_for(self, component_id, prop: str, value) -> list[tuple[str, bytes]]:
        """(callback output, POST body) of each request that setting the prop would send first, as
        the renderer would send them; nothing is sent and the prop keeps its value."""
        key = id_key(component_id)
        props = self.components[key]["props"]
        missing, previous = prop not in props, props.get(prop)
        props[prop] = value
        try:
            found = self._triggered_by({(key, prop)}, Step("prepared"))
            return [(self.callbacks[i].label, self._payload(self.callbacks[i], hits)) for i, hits in found.items()]
        finally:
            if missing:
                del props[prop]
            else:
                props[prop] = previous

    def post(self, body: bytes, label: str = "callback") -> tuple[Request, dict | None]:
        """One callback request as prepared by `requests_for`: its record and its decoded JSON answer
        (None for 204 or an error)."""
        record, raw = self._fetch("POST", "_dash-update-component", label, body=body)
        data = None
        if record.status == 200 and not record.error:
            try:
                data = json.loads(raw)
            except ValueError as exc:
                record.error = f"expected JSON ({exc})"
        record.finish(self.keep_bodies)
        return record, data

    def set(self, component_id, prop: str, value, label: str | None = None) -> Step:
        """The user sets a prop (picks a value, moves a slider): run its callbacks and cascade."""
        key = id_key(component_id)
        if key not in self.components:
            raise KeyError(f"component {key!r} is not in the layout")
        self.components[key]["props"][prop] = value
        step = Step(label or f"{key}.{prop}")
        return self._run(step, self._triggered_by({(key, prop)}, step))
