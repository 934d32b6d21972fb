"""Figures of the tables users' files add (issue 13): people in need by sector, and asylum
applications and decisions by year (plain dicts in plotly's JSON schema; see figures/common.py).

People in need per sector are never added across sectors (a person in need of food and of water
counts in both); severity phases are shown as published, the highest of the areas, never averaged.
Asylum figures keep persons and cases apart, and say how many figures were suppressed ('*').

Every trace carries the source ids of what it draws in `meta["sources"]`.
"""
from __future__ import annotations

import pandas as pd

from dashboard.figures.common import (
    GRID,
    PALETTE,
    empty_note,
    esc,
    figure,
    fit_y_margin,
    fmt_period,
    font_family,
    plain,
    title_layout,
    with_source_names,
)
from dashboard.i18n import N_, Translate

SEVERITY_COLORS = {1: "#fee5d9", 2: "#fcae91", 3: "#fb6a4a", 4: "#de2d26", 5: "#a50f15"}
ASYLUM_MEASURES = {
    "applications": N_("Applications"),
    "decisions_recognized": N_("Recognized (refugee status)"),
    "decisions_complementary": N_("Complementary protection"),
    "decisions_rejected": N_("Rejected"),
    "decisions_closed": N_("Otherwise closed"),
}
ASYLUM_COLORS = {"decisions_recognized": "#009E73", "decisions_complementary": "#56B4E9",
                 "decisions_rejected": "#D55E00", "decisions_closed": "#999999"}


def _layout(title: str, t: Translate, height: int = 380) -> dict:
    return {
        "template": {}, "title": title_layout(title, t.lang),
        "font": {"family": font_family(t.lang), "size": 12, "color": "#222"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40}, "height": height, "paper_bgcolor": "white",
        "plot_bgcolor": "white", "legend": {"orientation": "h", "y": -0.18, "x": 0}, "hovermode": "closest",
        "annotations": [], "shapes": [],
    }


def needs_figure(by_sector: pd.DataFrame, sources: pd.DataFrame, t: Translate) -> dict:
    """People in need per sector (horizontal bars, one trace per source), coloured by the highest
    severity of the areas counted; the period and the number of areas in the hover."""
    layout = _layout(t("People in need by sector"), t)
    layout["xaxis"] = {"title": {"text": t("People in need")}, "tickformat": ",d", "rangemode": "tozero", **GRID}
    layout["yaxis"] = {"type": "category", "automargin": True, **{k: v for k, v in GRID.items() if k != "automargin"}}
    data = []
    frame = with_source_names(by_sector, sources) if len(by_sector) else by_sector
    shown = frame[frame["people_in_need"].notna()] if len(frame) else frame
    for i, (source, rows) in enumerate(shown.groupby("source_id", sort=True) if len(shown) else []):
        org = esc(rows["organisation"].iloc[0] or source)
        period = fmt_period(rows["period_start"].iloc[0], rows["period_end"].iloc[0], t.lang)
        severity = [int(s) if pd.notna(s) else None for s in rows["severity"]]
        data.append({
            "type": "bar", "orientation": "h", "x": plain(rows["people_in_need"]), "y": [esc(s) for s in rows["sector"]],
            "name": org, "marker": {"color": [SEVERITY_COLORS.get(s, PALETTE[i % len(PALETTE)]) for s in severity],
                                    "line": {"color": "#333", "width": 0.5}},
            "customdata": [[s if s is not None else "–", int(a)] for s, a in zip(severity, rows["areas"])],
            "hovertemplate": (f"<b>%{{x:,}}</b> {t('people in need')} · %{{y}}<br>{t('Highest severity')}: "
                              f"%{{customdata[0]}} · %{{customdata[1]}} {t('areas')}<br>{period}<br>{t('Source')}: "
                              f"{org}<extra></extra>"),
            "meta": {"sources": [source]},
        })
    if data:
        layout["annotations"].append({
            "text": t("Sectors are not added up: a person can be in need in several. Bar colour: the highest "
                      "severity (1–5) among the areas."), "showarrow": False, "xref": "paper", "yref": "paper",
            "x": 0, "y": -0.16, "xanchor": "left", "font": {"size": 10, "color": "#555"}})
    else:
        layout["annotations"].append(empty_note(t("No figures in the selected period")))
    return figure(data, layout)


def asylum_figure(by_year: pd.DataFrame, sources: pd.DataFrame, t: Translate) -> dict:
    """Decisions on Syrians' asylum claims per year, stacked by outcome, and applications as a line;
    persons only (figures counted in cases are named in a note, never added to persons)."""
    layout = _layout(t("Asylum applications and decisions of Syrians, by year"), t)
    layout["xaxis"] = {"title": {"text": t("Year")}, "type": "category", **GRID}
    layout["yaxis"] = {"title": {"text": t("Persons")}, "tickformat": ",d", "rangemode": "tozero", **GRID}
    layout["barmode"] = "stack"
    persons = by_year[by_year["unit"] == "persons"] if len(by_year) else by_year
    data = []
    for measure, label in ASYLUM_MEASURES.items():
        rows = persons[(persons["measure"] == measure) & persons["value"].notna()] if len(persons) else persons
        if rows.empty:
            continue
        ids = sorted({i for s in rows["source_id"] for i in str(s).split(",") if i})
        trace = {
            "x": [str(y) for y in rows["year"]], "y": plain(rows["value"]), "name": t(label), "meta": {"sources": ids},
            "customdata": [[int(c), int(s)] for c, s in zip(rows["countries"], rows["suppressed"])],
            "hovertemplate": (f"<b>%{{y:,}}</b> {t(label)}, %{{x}}<br>%{{customdata[0]}} {t('countries of asylum')}"
                              f" · %{{customdata[1]}} {t('figures suppressed')}<extra></extra>"),
        }
        if measure == "applications":
            trace.update({"type": "scatter", "mode": "lines+markers", "line": {"color": "#000", "width": 2}})
        else:
            trace.update({"type": "bar", "marker": {"color": ASYLUM_COLORS[measure]}})
        data.append(trace)
    notes = []
    suppressed = int(by_year["suppressed"].sum()) if len(by_year) else 0
    if suppressed:
        notes.append(t("{n} figures were suppressed by UNHCR ('*', small numbers): they are in no bar, and are not "
                       "zero.").format(n=f"{suppressed:,}"))
    cases = by_year[by_year["unit"] == "cases"] if len(by_year) else by_year
    if len(cases):
        notes.append(t("Figures counted in cases, not persons, are left out ({n}).").format(n=f"{len(cases):,}"))
    if notes:
        layout["annotations"].append({"text": " ".join(notes), "showarrow": False, "xref": "paper", "yref": "paper",
                                      "x": 0, "y": -0.16, "xanchor": "left", "font": {"size": 10, "color": "#555"}})
    if not data:
        layout["annotations"].append(empty_note(t("No figures in the selected period")))
    return fit_y_margin(figure(data, layout))
