"""UCDP's GED API replayed on 127.0.0.1 for the tests: the real Syria release of ../shared/data
served page by page in the API's documented shape (tests/etl/conftest.py makes it the `ucdp`
fixture)."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from tests.conftest import shared_path
from tests.etl import replay

TOKEN = "tok-3f9a1c77e2b54d08"  # what the replay server accepts; must never be written anywhere
INTEGER = {"id", "year", "active_year", "type_of_violence", "conflict_new_id", "dyad_new_id", "side_a_new_id",
           "side_b_new_id", "number_of_sources", "where_prec", "priogrid_gid", "country_id", "event_clarity",
           "date_prec", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "best", "high"}


def release_events() -> list[dict]:
    """The Syria release's rows as the API gives events: numbers as numbers, empty cells as null."""
    with zipfile.ZipFile(shared_path("ucdp_ged_syria", "ged_syria.csv.zip")) as z:
        [name] = [n for n in z.namelist() if n.endswith(".csv")]
        rows = list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig"))))

    def typed(key, value):
        if value == "":
            return None
        if key in INTEGER and value.lstrip("-").isdigit():
            return int(value)
        if key in ("latitude", "longitude"):
            return float(value)
        return value
    return [{k: typed(k, v) for k, v in row.items()} for row in rows]


class Replay:
    """UCDP's API as documented: /api/gedevents/<version>?pagesize=&Country=&page=, the token in
    x-ucdp-access-token (any release number is answered with the Syria release of ../shared/data). `faults` maps a page number to the answers given before the real one."""

    def __init__(self, events):
        self.events, self.hits, self.faults, self.tokens = events, [], {}, set()
        self.rename_result_on = None

    def answer(self, handler):
        url = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        base = f"http://127.0.0.1:{handler.server.server_address[1]}"
        page = int(query.get("page", 0))
        self.hits.append((url.path, page, time.monotonic()))
        self.tokens.add(handler.headers.get("x-ucdp-access-token"))
        if handler.headers.get("x-ucdp-access-token") != TOKEN:
            return 401, {"Content-Type": "application/json"}, b'{"message": "The access token is invalid or has expired"}'
        if self.faults.get(page):
            return self.faults[page].pop(0)
        if not re.fullmatch(r"/api/gedevents/\d+\.\d+", url.path) or query.get("Country") != "652":
            return 404, {"Content-Type": "text/plain"}, b"no such release"
        size = int(query["pagesize"])
        chunk = self.events[page * size:(page + 1) * size]
        pages = -(-len(self.events) // size)
        nxt = (f"{base}{url.path}?pagesize={size}&Country=652&page={page + 1}" if page + 1 < pages else "")
        body = {"TotalCount": len(self.events), "TotalPages": pages, "PreviousPageUrl": "", "NextPageUrl": nxt,
                "DownloadUrl": "", ("Results" if self.rename_result_on == page else "Result"): chunk}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


@contextmanager
def served(events):
    state = Replay(events)
    with replay.served(state.answer) as base:
        state.base = base
        yield state
