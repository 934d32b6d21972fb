"""HDX HAPI replayed on 127.0.0.1 for the tests (tests/etl/conftest.py: the `hapi` fixture): the
conflict events of the committed SYNTHETIC HAPI fixture
(tests/fixtures/layouts/synthetic_hdx_hapi_conflict_event_syr.csv), and SYNTHETIC IDP and
humanitarian-needs records, in HAPI's JSON shape `{"data": [...]}`, two a page at most whatever the
limit asked. The needs endpoint answers every population status and category whatever was asked,
so that the client's own check is what keeps the people in need of the whole population."""
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
ENDPOINTS = {"/api/v2/coordination-context/conflict-events": "records", "/api/v2/affected-people/idps": "idps",
             "/api/v2/affected-people/humanitarian-needs": "needs"}


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


def needs_records() -> list[dict]:
    """SYNTHETIC HNO rows in HAPI's humanitarian-needs shape: for two years, two sectors in two Idleb
    districts, the whole population in need (kept), a children's group and the targeted (both left)."""
    out = []
    for year in (2023, 2024):
        for a2, name2, base in (("SY0703", "Harim", 400_000), ("SY0700", "Idleb", 300_000)):
            for sector, code, share in (("Intersectoral", "Intersectoral", 1.0), ("Health", "HEA", 0.8)):
                for category, status, part in (("total", "INN", 1.0), ("Children - Female", "INN", 0.25),
                                               ("total", "TGT", 0.6)):
                    out.append({"location_code": "SYR", "location_name": "Syrian Arab Republic", "has_hrp": True,
                                "in_gho": True, "admin1_code": "SY07", "admin1_name": "Idleb",
                                "provider_admin1_name": "Idleb", "admin2_code": a2, "admin2_name": name2,
                                "provider_admin2_name": name2, "admin_level": 2, "sector_code": code,
                                "sector_name": sector, "category": category, "population_status": status,
                                "population": int(base * share * part) + year - 2000,
                                "reference_period_start": f"{year}-01-01T00:00:00",
                                "reference_period_end": f"{year}-12-31T23:59:59",
                                "dataset_hdx_id": "synthetic", "resource_hdx_id": "synthetic", "warning": None,
                                "error": None})
        out.append({**out[0], "admin1_code": None, "admin1_name": None, "provider_admin1_name": None, "admin2_code": None,
                    "admin2_name": None, "provider_admin2_name": None, "admin_level": 0, "population": 4_000_000 + year,
                    "reference_period_start": f"{year}-01-01T00:00:00", "reference_period_end": f"{year}-12-31T23:59:59"})
    return out


def records() -> list[dict]:
    with FIXTURE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows = [r for r in rows if not r["location_code"].startswith("#")]  # the HXL row
    return [{k: (int(v) if k in ("events", "fatalities", "admin_level") and v.isdigit() else v or None)
             for k, v in r.items()} for r in rows]


@contextmanager
def served():
    state = {"hits": [], "idp_hits": [], "needs_asked": [], "records": records(), "idps": idp_records(),
             "needs": needs_records(), "identifiers": set()}

    def answer(request):
        url = urlparse(request.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.endswith("humanitarian-needs"):
            state["needs_asked"].append(q)
        else:
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
