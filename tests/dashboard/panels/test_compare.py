"""Trends that compare honestly, on the view level (a Request drawn by the panels, as the page and
the exports draw it): one colour per organisation whatever the filter or the export; UNHCR's
population types never on one line; community rows summed into their area; a figure over a longer
period than the one shown given with its period and its mean per month, never as the period's own.

The warehouse is the committed data plus two SYNTHETIC files in real layouts, made here: a UNHCR
Refugee Data Finder export (refugees and asylum seekers in Türkiye) and an HXL file of 148
community rows of IDP arrivals in one sub-district and one month (the shape of an earthquake
impact file). Their figures are invented, and their sources say so.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import panels
from dashboard.data.warehouse import warehouse
from dashboard.export import files
from dashboard.request import Request

COMMUNITIES = 148
FINDER = """Extracted from UNHCR's Refugee Data Finder on 1 December 2026 - SYNTHETIC TEST FILE, figures invented

Year,Country of origin,Country of origin (ISO),Country of asylum,Country of asylum (ISO),Refugees under UNHCR's mandate,Asylum-seekers,Returned refugees,IDPs of concern to UNHCR,Returned IDPs,Stateless persons,Others of concern,Other people in need of international protection,Host Community
2013,Syrian Arab Rep.,SYR,Turkiye,TUR,"500,001",301,-,-,-,-,-,-,-
2014,Syrian Arab Rep.,SYR,Turkiye,TUR,"1,500,002",102,-,-,-,-,-,-,-
2015,Syrian Arab Rep.,SYR,Turkiye,TUR,"2,500,003",253,-,-,-,-,-,-,-
"""


def community_hxl() -> str:
    """148 community rows of one sub-district (Dana, SY070301) for March 2023, HXL as HDX publishes it."""
    lines = ["Date,Governorate P-code,Sub-district,Sub-district P-code,Community,IDP arrivals",
             "#date,#adm1+code,#adm3+name,#adm3+code,#loc+name,#affected+idps+arrivals"]
    lines += [f"2023-03-15,SY07,Dana,SY070301,Synthetic community {i},{10 + i}" for i in range(1, COMMUNITIES + 1)]
    return "\r\n".join(lines) + "\r\n"


COMMUNITY_TOTAL = sum(10 + i for i in range(1, COMMUNITIES + 1))


@pytest.fixture(scope="module")
def compare_warehouse(tmp_path_factory):
    from etl import pipeline
    from etl.config import Settings

    root = tmp_path_factory.mktemp("compare")
    (root / "finder.csv").write_text(FINDER, encoding="utf-8")
    (root / "communities.csv").write_text(community_hxl(), encoding="utf-8")
    (root / "sources.toml").write_text(
        "extends_default = true\n\n"
        '[[source]]\nname = "synthetic-unhcr-finder"\nadapter = "unhcr"\npath = "finder.csv"\norganisation = "UNHCR"\n'
        'title = "SYNTHETIC test file in the Refugee Data Finder layout (figures invented)"\npublished = "2026-12"\n'
        'link = "https://www.unhcr.org/refugee-statistics/download"\n\n'
        '[[source]]\nname = "synthetic-impact"\nadapter = "hxl"\npath = "communities.csv"\n'
        'organisation = "SYNTHETIC impact assessment (test)"\n'
        'title = "SYNTHETIC community arrivals, one sub-district (figures invented)"\npublished = "2023-04"\n'
        'link = "https://example.org/synthetic"\n', encoding="utf-8")
    pipeline.run(Settings(warehouse_dir=root / "warehouse", keep_versions=1), config=root / "sources.toml")
    return root / "warehouse"


@pytest.fixture
def wh(compare_warehouse, monkeypatch):
    monkeypatch.setenv("IDLIB_WAREHOUSE", str(compare_warehouse))
    return warehouse()


def chart(name: str, request: Request) -> dict:
    panel = panels.get(name)
    return panel.figure(panel.load(request), request)


def colours_by_organisation(fig: dict) -> dict[str, set[str]]:
    """Organisation (the name a trace starts with) -> the line colours of its traces."""
    out: dict[str, set[str]] = {}
    for trace in fig["data"]:
        name = trace.get("name") or ""
        if not name or "line" not in trace or trace.get("fill") or trace.get("legendgroup") == "war-wide" \
                or name.startswith(("Range", "Key")):
            continue
        org = re.split(r"[:(]| —", name)[0].strip()
        out.setdefault(org, set()).add(trace["line"]["color"])
    return out


def test_an_organisation_keeps_its_colour_across_filters_and_in_the_export(wh):
    """Casualties, December 2019 to March 2020: OHCHR, the UN Secretary-General, the UN and OCHA.
    With two of them filtered, and in the exported image, each keeps its colour."""
    everything = colours_by_organisation(chart("casualties", Request.from_query(wh, "?from=2019-12&to=2020-03")))
    filtered = colours_by_organisation(chart("casualties", Request.from_query(wh, "?from=2019-12&to=2020-03&src=OHCHR,UN%20Secretary-General")))
    assert filtered["OHCHR"] == everything["OHCHR"]
    assert {"OHCHR", "UN SG", "UN", "OCHA"} <= set(everything) and set(filtered) == {"OHCHR", "UN SG"}
    assert all(len(colours) == 1 for colours in everything.values())  # one colour per organisation
    assert len({next(iter(c)) for c in everything.values()}) == len(everything)  # and none shared in one chart
    for org in filtered:
        assert filtered[org] == everything[org], org
    ctx = files.context_of(Request.from_query(wh, "?from=2019-12&to=2020-03&src=OHCHR,UN%20Secretary-General"))
    printed, _ = files.printed_figure("casualties", ctx, 1000)
    assert colours_by_organisation(printed) == filtered
    # the displacement chart draws OCHA in the same colour as the casualty chart
    displacement = colours_by_organisation(chart("displacement", Request.from_query(wh, "?from=2019-12&to=2020-03")))
    assert displacement["OCHA"] == everything["OCHA"]
    # and the colours do not depend on the language
    arabic = chart("casualties", Request.from_query(wh, "?from=2019-12&to=2020-03&src=ohchr,un-sg&lang=ar"))
    assert sorted(c for cs in colours_by_organisation(arabic).values() for c in cs) == sorted(
        c for cs in filtered.values() for c in cs)


def test_refugees_and_asylum_seekers_from_a_unhcr_population_file_are_two_series(wh):
    fig = chart("refugees", Request.from_query(wh, "?from=2013-01&to=2015-12"))
    lines = {tr["name"]: [v for v in tr["y"] if v is not None] for tr in fig["data"] if tr.get("mode") == "lines+markers"}
    refugees = [y for name, y in lines.items() if name == "UNHCR: refugees"]
    asylum = [y for name, y in lines.items() if name == "UNHCR: asylum seekers"]
    assert refugees == [[500_001, 1_500_002, 2_500_003]]
    assert asylum == [[301, 102, 253]]
    assert not any(set(y) & {301, 102, 253} and set(y) & {500_001} for y in lines.values())  # never one line


def test_148_community_rows_become_one_figure_per_source_from_148_communities(wh):
    for query in ("?from=2023-03&to=2023-03", "?from=2023-03&to=2023-03&area=SY07"):
        fig = chart("displacement", Request.from_query(wh, query))
        ours = [tr for tr in fig["data"] if "meta" in tr and "synthetic-impact" in tr["meta"].get("sources", [])]
        drawn = [(x, y) for tr in ours for x, y in zip(tr["x"], tr["y"]) if y is not None]
        assert {y for _, y in drawn} == {COMMUNITY_TOTAL}, query  # one figure, the sum, drawn over March
        assert len(ours) == 1 and len(ours[0]["meta"]["rows"]) == 1, query
        assert {x for x, _ in drawn} == {"2023-03-01", "2023-03-31"}
        assert f"from {COMMUNITIES} communities" in ours[0]["hovertext"][0], query
        assert ours[0].get("visible", True) is True  # the source gives no figure for the area: the sum is shown


def test_a_12_month_figure_in_a_one_month_window_is_given_with_its_period_and_its_rate(wh):
    """OHCHR's estimate of at least 1,600 civilians killed, April 2019 to March 2020 (facts 2.19),
    in February 2020: written with its 12 months and about 133 per month, drawn apart and lighter,
    listed beside February's figures with the 29 of its 366 days that fall in February."""
    fig = chart("casualties", Request.from_query(wh, "?from=2020-02&to=2020-02"))
    ohchr = [tr for tr in fig["data"] if (tr.get("name") or "").startswith("OHCHR")]
    assert len(ohchr) == 1 and ohchr[0]["name"] == "OHCHR: over a longer period"
    assert ohchr[0]["opacity"] < 1 and ohchr[0]["x"][:2] == ["2019-04-01", "2020-03-31"]  # its whole period
    hover = ohchr[0]["hovertext"][0]
    assert "1 Apr 2019 – 31 Mar 2020 (12 months)" in hover and "≈133 per month" in hover
    assert "not a figure for the period shown" in hover
    labels = [a["text"] for a in fig["layout"]["annotations"] if a.get("name") == "direct-label"]
    assert any(text.startswith("OHCHR ≥ 1,600") and "in 12 months (≈133 per month)" in text for text in labels)
    # no other line draws 1,600 as February's figure
    others = [tr for tr in fig["data"] if tr not in ohchr and tr.get("y")]
    assert not any(1600 in tr["y"] for tr in others)
    window = {w["source_id"]: w for w in fig["layout"]["meta"]["window"]}
    estimate, february = window["ohchr-hrw-idlib-2020-10-15"], window["ocha-cbr-2020-02"]
    assert (estimate["inside_days"], estimate["days"], estimate["per_month"]) == (29, 366, "133")
    assert february["inside_days"] == february["days"] == 29
    # per month, it is drawn at its mean over its own period, beside OCHA's February figure
    monthly = chart("casualties", Request.from_query(wh, "?from=2020-02&to=2020-02&rate=month"))
    drawn = {tr["name"]: {round(y, 1) for y in tr["y"] if y is not None} for tr in monthly["data"] if tr.get("y")}
    assert drawn["OHCHR: over a longer period"] == {round(1600 * 30.4375 / 366, 1)}
    assert drawn["OCHA"] == {round(187 * 30.4375 / 29, 1)}


def test_data_exports_keep_the_qualifier_period_area_and_source_on_every_row(wh):
    ctx = files.context_of(Request.from_query(wh, "?from=2019-12&to=2020-03"))
    for name in ("displacement", "casualties", "refugees"):
        data = files.data_table(name, ctx).data
        assert len(data), name
        for column in ("qualifier", "period_start", "period_end", "area", "source_id", "organisation", "organisation_name"):
            assert column in data and data[column].notna().all() and (data[column].astype(str) != "").all(), (name, column)
    rows = files.data_table("casualties", ctx).data
    ohchr = rows[rows["source_id"] == "ohchr-hrw-idlib-2020-10-15"].iloc[0]
    assert (ohchr["qualifier"], ohchr["days"], ohchr["days_in_period_shown"]) == ("at_least", 366, 122)
    assert ohchr["organisation_id"] == "ohchr" and pd.notna(ohchr["mean_per_month"])
