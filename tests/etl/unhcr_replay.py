"""UNHCR's population statistics API replayed on 127.0.0.1 for the tests, in its documented shape
(`page`, `maxPages`, `items`), with SYNTHETIC figures (tests/etl/conftest.py: the `unhcr` fixture)."""
from __future__ import annotations

import json
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from tests.etl import replay

YEARS = range(2011, 2025)  # 14 years: with 5 items a page, pages of 5, 5 and 4


def item(year: int, asylum: str) -> dict:
    """A SYNTHETIC yearly record (the numbers are arithmetic, not UNHCR's)."""
    return {"year": year, "coo_id": 1, "coo_name": "Syrian Arab Rep.", "coo": "SYR", "coo_iso": "SYR",
            "coa_id": 2, "coa_name": asylum, "coa": asylum, "coa_iso": asylum,
            "refugees": 1000 * (year - 2000) + (7 if asylum == "LBN" else 3), "asylum_seekers": "-",
            "returned_refugees": 0, "idps": 0, "returned_idps": 0, "stateless": 0, "ooc": 0, "oip": "-", "hst": 0}


@contextmanager
def served():
    """The API on 127.0.0.1: a dict with base, hits ((asylum, page) asked), faults ({(asylum, page):
    [(code, body), ...]} answered first) and rename ((asylum, page) whose `items` is misnamed)."""
    state = {"hits": [], "faults": {}, "rename": None}

    def answer(request):
        url = urlparse(request.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        key = (q.get("coa"), int(q.get("page", 1)))
        state["hits"].append(key)
        if state["faults"].get(key):
            code, body = state["faults"][key].pop(0)
        elif url.path != "/population/v1/population/" or q.get("coo") != "SYR" or q.get("cf_type") != "ISO":
            code, body = 404, b'{"error": "not found"}'
        else:
            size, number = min(int(q["limit"]), 5), key[1]  # five a page at most, as a capped server
            rows = [item(y, q["coa"]) for y in YEARS if y >= int(q["yearFrom"])]
            pages = -(-len(rows) // size)
            body = {"page": number, "maxPages": pages, "total": [],
                    ("itemz" if state["rename"] == key else "items"): rows[(number - 1) * size:number * size]}
            code, body = 200, json.dumps(body).encode()
        return code, {"Content-Type": "application/json"}, body

    with replay.served(answer) as base:
        state["base"] = base
        yield state
