"""The committed figures against the project's facts list (../shared/facts/facts.md, revised in
December 2026): every figure is a number of its facts row's figure cell, with that row's qualifier;
every source address is the row's current address; no source on a known copy site passes for
anything but a copy; 1.45 (WFP citing CCCM, more than 961,000) is present.

The facts list is only on project machines: without it the tests that read it are skipped (the
copy-site test runs on the committed data alone).
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pandas as pd
import pytest

from etl.contracts import COPY_MARKER, LINK_KINDS
from etl.core.warehouse import open_live
from tests.conftest import shared_path

FIGURE_COLUMNS = {  # table -> the columns holding figures (a published range keeps low/high)
    "displacement": ("value", "low", "high"),
    "casualties": ("killed", "low", "high", "injured", "children_killed"),
    "refugees": ("persons",),
    "idp_stock": ("value",),
}
# the mirrors, aggregators and reprints named in section 4 of CHANGES-2026-12.md (and the copies it
# replaced in section 1): an address there is a copy, never the publisher's page
COPY_SITES = (
    "pdfslide.net", "docslib.org", "viralz.org", "hamodia.com", "laudato.si", "triviaquestions.online",
    "voltairenet.org", "lawsdocbox.com", "5dok.org", "magnis.news", "wn.com", "sigmaturkey.com",
    "scoop.co.nz", "haberler.com", "ccnr.ceu.edu", "aftenposten.no", "theworldmonitor.com", "thelevantnews.com",
    "konya365.com", "hafik-haber.com.tr", "ummnews.org", "defenceweb.co.za", "manchikoni.com", "kyivpost.com",
    "wcbs880.radio.com", "esenfidanlik.com", "zayntechnologies.com", "ahconu.org", "lgcnews.com", "imlebanon.org",
    "ensonhaber.com", "ramanmedianetwork.com", "mesrenaelyoum.com.au", "nationalcourrier.com", "pakistanpoint.com",
    "digitaljournal.com", "de.zxc.wiki", "archive.siasat.com", "media.sn4hr.org", "voa.pangea-cms.com",
    "irishtimes.com", "thenews.com.pk", "stockholmcf.org", "menafn.com", "dnevnik.si", "wiadomosci.onet.pl",
    "alkhabour.com", "webarchive.archive.unhcr.org",
)
# a facts row naming, without its address, a document another row gives the address of: 2.22's
# title cell names OCHA's Flash Update No. 1 (28 Nov 2024), whose address is row 1.46's
SAME_DOCUMENT = {"2.22": "1.46"}
NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*(million|m\b|M\b)?")
AT_LEAST = re.compile(r"(>|≥|more than|at least|over)\s*$", re.IGNORECASE)
ABOUT = re.compile(r"(~|almost|nearly|some|about|approximately|up to)\s*$", re.IGNORECASE)


@pytest.fixture(scope="module")
def facts() -> dict[str, list[str]]:
    """facts row number -> its cells (#, figure, unit, date, scope, organisation, title, url, pub. date, quote)."""
    text = shared_path("..", "facts", "facts.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*(\d+\.\d+)\s*\|", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in line.strip().strip("|").split(" | ")]
    # sections 1-6 have the ten columns; section 8 (the seed article, no sources) has seven
    assert len(rows) > 180 and all(len(cells) == 10 for fid, cells in rows.items() if not fid.startswith("8."))
    return {fid: cells for fid, cells in rows.items() if len(cells) == 10}


@pytest.fixture(scope="module")
def live(built_warehouse):
    return open_live(built_warehouse)


def numbers(cell: str) -> dict[int, set[str]]:
    """The figures a cell gives, each with the qualifiers its wording allows: '>38,300' at_least,
    '~1.1 million' about, '3.57 million' about (rounded) or exact, '1,109' exact."""
    out: dict[int, set[str]] = {}
    for m in NUMBER.finditer(cell):
        digits, scale = m.group(1), m.group(2)
        before = cell[:m.start()]
        if scale:
            value = round(float(digits.replace(",", "")) * 1_000_000)
            allowed = {"about", "exact"}
        elif "." in digits:
            continue  # a fact id such as "1.42" or a decimal without a scale
        else:
            value, allowed = int(digits.replace(",", "")), {"exact"}
        if AT_LEAST.search(before[-12:]):
            allowed = {"at_least"}
        elif ABOUT.search(before[-14:]):
            allowed = {"about"}
        out.setdefault(value, set()).update(allowed)
    return out


def quote_allows(quote: str, qualifier: str) -> bool:
    """A qualifier the cell does not mark, taken from the quote's own wording ("Some 752,131")."""
    words = {"about": r"\b(some|about|almost|nearly|approximately|around|an estimated|roughly)\b",
             "at_least": r"\b(more than|at least|over)\b"}
    return qualifier in words and re.search(words[qualifier], quote, re.IGNORECASE) is not None


def fact_of(fact_id: str) -> str:
    return re.sub(r"[a-z]$", "", str(fact_id))


def row_urls(facts, fid: str, seen=()) -> set[str]:
    """The addresses a facts row gives: its URL cell ("(as 1.23)" follows that row) and any address
    written in its organisation or title cell (3.35's UNHCR update, 3.16's second-hand date)."""
    cells = facts[fid]
    urls = set(re.findall(r"https?://[^\s,;)]+", " ".join(cells[5:7])))
    if cells[7].startswith("http"):
        urls.add(cells[7])
    if fid in SAME_DOCUMENT:
        urls |= row_urls(facts, SAME_DOCUMENT[fid], (*seen, fid))
    ref = re.fullmatch(r"\(as (\d+\.\d+)\)", cells[7])
    if ref and ref.group(1) not in seen:
        urls |= row_urls(facts, ref.group(1), (*seen, fid))
    return urls


def test_every_committed_figure_is_the_facts_lists_current_value(live, facts):
    wrong = []
    for table, columns in FIGURE_COLUMNS.items():
        frame = live.read(table)
        for r in frame.to_dict("records"):
            fid = fact_of(r["fact_id"])
            if fid not in facts:
                wrong.append((table, r["fact_id"], "not in the facts list"))
                continue
            cells = facts[fid]
            given = numbers(cells[1])
            for column in columns:
                value = r.get(column)
                if value is None or pd.isna(value):
                    continue
                value = int(value)
                if value not in given:
                    wrong.append((table, r["fact_id"], column, value, cells[1]))
                elif column in ("value", "killed", "persons") and r["qualifier"] not in given[value] \
                        and not quote_allows(cells[9], r["qualifier"]):
                    wrong.append((table, r["fact_id"], column, value, r["qualifier"], cells[1]))
    assert not wrong, "\n".join(map(str, wrong))


def test_every_source_address_is_its_facts_rows_current_address(live, facts):
    sources = live.read("sources").set_index("source_id")
    wrong = []
    for table in (*FIGURE_COLUMNS, "timeline"):
        for r in live.read(table).to_dict("records"):
            fid = fact_of(r["fact_id"])
            url = sources.loc[r["source_id"], "url"]
            if url not in row_urls(facts, fid):
                wrong.append((table, r["fact_id"], url, sorted(row_urls(facts, fid))))
    assert not wrong, "\n".join(map(str, wrong))


def test_copies_are_the_rows_the_facts_list_marks(live, facts):
    """A source is a copy exactly when a facts row it serves carries the marker (3.35's UNHCR update,
    a different document from the copy in the same row, is not one)."""
    sources = live.read("sources")
    cited = sources[sources["fact_refs"].notna()]
    wrong = []
    for s in cited.to_dict("records"):
        marked = [f for f in s["fact_refs"].split() if f in facts and COPY_MARKER in facts[f][5]]
        is_copy = s["link_kind"] == "copy"
        if is_copy != bool(marked) and s["source_id"] != "unhcr-regflash7-2024-12-27":
            wrong.append((s["source_id"], s["link_kind"], marked))
    assert not wrong, wrong


def test_no_source_on_a_copy_site_passes_for_an_original(live):
    sources = live.read("sources")
    assert sources["link_kind"].isin(LINK_KINDS).all(), sources[~sources["link_kind"].isin(LINK_KINDS)]
    for s in sources.to_dict("records"):
        host = (urlparse(s["url"]).hostname or "") if isinstance(s["url"], str) else ""
        if any(host == site or host.endswith("." + site) for site in COPY_SITES):
            assert s["link_kind"] == "copy" and COPY_MARKER in s["organisation"], s
        if s["link_kind"] == "copy":
            assert COPY_MARKER in s["organisation"], s


def test_row_1_45_is_present_with_its_source(live):
    rows = live.read("displacement")
    row = rows[rows["fact_id"] == "1.45"]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["value"], row["qualifier"], row["unit"], row["measure"]) == (961000, "at_least", "people_displaced", "cumulative")
    assert (str(row["period_start"].date()), str(row["period_end"].date())) == ("2019-12-01", "2020-03-03")
    source = live.read("sources").set_index("source_id").loc[row["source_id"]]
    assert source["organisation"] == "WFP" and source["published"] == "2020-03-03"
    assert source["url"] == ("https://reliefweb.int/report/syrian-arab-republic/"
                             "wfp-syria-north-western-syria-emergency-situation-report-14-03-march")
