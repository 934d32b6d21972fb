"""HDX HAPI's conflict-events endpoint replayed on 127.0.0.1 for the tests (tests/etl/conftest.py:
the `hapi` fixture): the records of the committed SYNTHETIC HAPI fixture
(tests/fixtures/layouts/synthetic_hdx_hapi_conflict_event_syr.csv), in HAPI's JSON shape
`{"data": [...]}`, two a page at most whatever the limit asked."""
from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from etl.config import ROOT
from tests.etl import replay

FIXTURE = ROOT / "tests" / "fixtures" / "layouts" / "synthetic_hdx_hapi_conflict_event_syr.csv"
IDENTIFIER = "c3ludGhldGljOnRlc3RzQGV4YW1wbGUub3Jn"  # base64 of "synthetic:tests@example.org"
PAGE_CAP = 2
ENDPOINTS = {"/api/v2/coordination-context/conflict-events": "records", "/api/v2/affected-people/idps": "idps"}


def idp_records() -> list[dict]:
    """SYNTHETIC IOM DTM rows in HAPI's idps shape (the counts are arithmetic, not IOM's)."""
    out = []
    for month in (1, 2, 3):
        for a1, a2, name1, name2, n in (("SY07", "SY0703", "Idleb", "Harim", 100_000), ("SY07", None, "Idleb", None, 250_000),
                                         ("SY02", "SY0200", "Aleppo", "Jebel Saman", 50_000)):
            out.append({"location_code": "SYR", "location_name": "Syrian Arab Republic", "has_hrp": True, "in_gho": True,
                        "admin1_code": a1, "admin1_name": name1, "provider_admin1_name": name1,
                        "admin2_code": a2, "admin2_name": name2, "provider_admin2_name": name2,
                        "admin_level": 2 if a2 else 1, "assessment_type": "BA", "reporting_round": month,
                        "operation": "Synthetic operation", "population": n + month * 1_000,
                        "reference_period_start": f"2024-0{month}-01T00:00:00",
                        "reference_period_end": f"2024-0{month}-{29 if month == 2 else 31}T23:59:59",
                        "dataset_hdx_id": "synthetic", "resource_hdx_id": "synthetic", "warning": None, "error": None})
    return out


def records() -> list[dict]:
    with FIXTURE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows = [r for r in rows if not r["location_code"].startswith("#")]  # the HXL row
    return [{k: (int(v) if k in ("events", "fatalities", "admin_level") and v.isdigit() else v or None)
             for k, v in r.items()} for r in rows]


@contextmanager
def served():
    state = {"hits": [], "idp_hits": [], "records": records(), "idps": idp_records(), "identifiers": set()}

    def answer(request):
        url = urlparse(request.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        state["hits" if url.path.endswith("conflict-events") else "idp_hits"].append(int(q.get("offset", 0)))
        state["identifiers"].add(request.headers.get("X-HDX-HAPI-APP-IDENTIFIER"))
        if request.headers.get("X-HDX-HAPI-APP-IDENTIFIER") != IDENTIFIER:
            code, body = 403, b'{"detail": "Not authenticated"}'
        elif url.path not in ENDPOINTS or q.get("location_code") != "SYR":
            code, body = 404, b'{"detail": "Not Found"}'
        else:
            offset, limit = int(q["offset"]), min(int(q["limit"]), PAGE_CAP)
            rows = state[ENDPOINTS[url.path]]
            code, body = 200, json.dumps({"data": rows[offset:offset + limit]}).encode()
        return code, {"Content-Type": "application/json"}, body

    with replay.served(answer) as base:
        state["base"] = base
        yield state
