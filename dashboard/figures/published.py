"""Published figures as the charts compare them: one colour per organisation, the area each figure
covers, community rows summed into their area, figures over different periods made comparable.

Every published figure covers its own period and its own area. Before it is drawn, each row gets:
- its organisation (dashboard/organisations.py), whose colour and symbol it is drawn in;
- its **scope**: the area it covers as a kind (all Syria, north-west Syria, a governorate, the
  Idlib area, another named area, a place within the chart's area), shown beside it;
- its **role**: a figure for the chart's area (`whole`), or for a place within it (`part`: a
  destination, a sub-district, a community total). Parts of an organisation's unit are hidden
  behind their legend entry where the same organisation gives the whole, so that the trend reads
  at a glance; every part stays in the legend, the data table and the exports;
- its length in days, and whether its period runs past the window shown (`long`): such a figure
  is written with its period and its mean per month, never as the window's own figure;
- the value drawn: as published, or its mean rate per month or per day over its own period.

Community rows (a monthly sheet's or an impact file's rows per community) are summed into their
sub-district per source, unit, direction and period, "from N communities", unless the source
also published a figure for the sub-district itself, which then stands alone. Sources are never
summed with each other.
"""
from __future__ import annotations

import re

import pandas as pd

from dashboard.figures.common import QUALIFIER_PREFIX, area_words, esc, fmt_date, fmt_period, iso, ltr, plain
from dashboard.i18n import N_, Translate
from dashboard.organisations import COPY_MARKER, Organisation, Registry, attribute, normalise, registry

RATE_DAYS = {"month": 30.4375, "day": 1.0}
RATE_SUFFIX = {"month": N_("per month"), "day": N_("per day")}
SCOPE_LABELS = {
    "syria": N_("all Syria"), "nw_syria": N_("north-west Syria"), "governorate": N_("a governorate"),
    "idlib_area": N_("the Idlib area"), "area": N_("another area"), "place": N_("a place within the area"),
}
_NW = re.compile(r"north-?west(ern)? syria|\bnw syria|northwest syria")
_IDLIB_AREA = re.compile(r"de-escalation|idl[ei]b (region|area|enclave)|surrounding areas|^idl[ei]b$")
_PLACE = re.compile(r"\(community\)|sub-district|\bcamps?\b|\bsites?\b|countryside|\(destination\)")
_GOVERNORATE = re.compile(r"^[\w' -]+ governorate$")


def text_colour(hex_colour: str) -> str:
    """The colour darkened until text in it reads on white (contrast 4.5:1, WCAG AA)."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        return "#333333"
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]

    def contrast(c) -> float:
        lin = [(x / 255) / 12.92 if x / 255 <= 0.03928 else ((x / 255 + 0.055) / 1.055) ** 2.4 for x in c]
        return 1.05 / (0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] + 0.05)

    while contrast(rgb) < 4.5:
        rgb = [int(x * 0.85) for x in rgb]
    return "#" + "".join(f"{x:02X}" for x in rgb)


def scope_of(area_en, pcode, location_pcode=None) -> str:
    """The kind of area a figure covers, read from its P-codes and, without one, its area as
    published ('north-west Syria (Idlib and Hama)' is north-west Syria)."""
    if isinstance(location_pcode, str) and location_pcode:
        return "place"
    if isinstance(pcode, str) and pcode:
        return {2: "syria", 4: "governorate"}.get(len(pcode), "place")
    text = normalise(area_en or "")
    if text in ("syria", "all syria", "whole of syria"):
        return "syria"
    if _NW.search(text):
        return "nw_syria"
    if _GOVERNORATE.match(text) and " and " not in text:
        return "governorate"
    if _IDLIB_AREA.search(text):
        return "idlib_area"
    if _PLACE.search(text):
        return "place"
    return "area"


def duration(days: int, t: Translate) -> str:
    """'19 days', '12 months', '10 years'."""
    if days < 62:
        return t("{n} days").format(n=days)
    if days < 730:
        return t("{n} months").format(n=round(days / RATE_DAYS["month"]))
    return t("{n} years").format(n=round(days / 365.25))


def rate_text(rate: float) -> str:
    if rate >= 100:
        return f"{rate:,.0f}"
    return f"{rate:.0f}" if rate >= 10 else f"{rate:.1f}"


# ---- community rows summed into their area ------------------------------------------------------

SUM_KEYS = ["source_id", "unit", "measure", "direction", "kind", "period_start", "period_end", "pcode"]


def sum_communities(frame: pd.DataFrame, names_en: dict | None, t: Translate) -> pd.DataFrame:
    """Rows of communities summed into their sub-district (their `pcode`) per source, unit, measure,
    direction and period: one row 'from N communities' (column `parts`). A figure the same source
    published for the sub-district itself (a row without a community code, beside rows with one, or
    named as the sub-district) stands instead of the sum. Other rows unchanged; input not changed."""
    if frame.empty or "pcode" not in frame:
        return frame
    located = frame["pcode"].notna().to_numpy()
    if not located.any():
        return frame
    keys = [k for k in SUM_KEYS if k in frame.columns]
    sub = frame[located]
    has_loc = (sub["location_pcode"].notna().to_numpy() if "location_pcode" in sub
               else pd.Series([False] * len(sub)).to_numpy())
    # plain Python on the few hundred rows a chart draws (a pandas groupby costs more than all the rest)
    tuples = list(zip(*(sub[k].tolist() for k in keys)))
    counts: dict = {}
    for key in tuples:
        counts[key] = counts.get(key, 0) + 1
    busy = pd.Series([counts[key] > 1 or loc for key, loc in zip(tuples, has_loc)], index=sub.index, dtype=bool)
    if not busy.any():
        return frame
    names_en = names_en or {}
    keep = [frame[~located], sub[~busy]]
    summed = []
    value_col = "value" if "value" in frame else "killed"
    for _, rows in sub[busy].groupby(keys, dropna=False, sort=False):
        rloc = rows["location_pcode"] if "location_pcode" in rows else pd.Series([None] * len(rows), index=rows.index)
        pcode = rows["pcode"].iloc[0]
        own_name = normalise(names_en.get(pcode, "")) if names_en.get(pcode) else None
        own = rloc.isna() & (rloc.notna().any() | (rows["area_en"].map(normalise) == own_name if own_name else False))
        if own.any():
            keep.append(rows[own])
            continue
        values = pd.to_numeric(rows[value_col], errors="coerce")
        if values.isna().all():
            keep.append(rows)
            continue
        n = len(rows)  # each row one community's figure (their names may all be the sub-district's)
        quals = set(rows["qualifier"].dropna())
        named = rows["area_en"].dropna().unique()
        first = rows.iloc[0].to_dict()
        first.update({
            value_col: int(values.sum()), "low": None, "high": None, "location_pcode": None,
            "qualifier": "at_least" if "at_least" in quals or values.isna().any() else ("about" if "about" in quals else "exact"),
            "area_en": names_en.get(pcode) or (str(named[0]) if len(named) == 1 else pcode), "parts": n,
            "area_ar": first.get("area_ar") if not names_en.get(pcode) and len(named) == 1 else None,
            "fact_id": f"{first.get('fact_id')} (+{len(rows) - 1})" if len(rows) > 1 else first.get("fact_id"),
        })
        summed.append(first)
    parts = [p for p in keep if len(p)]
    if summed:
        parts.append(pd.DataFrame(summed))
    out = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0]
    return out


# ---- rows ready to draw ---------------------------------------------------------------------------

def org_of(r: dict, reg: Registry, orgs: dict | None) -> Organisation:
    oid = attribute(r.get("organisation"), r.get("series"), reg)
    if orgs and oid in orgs:
        return orgs[oid]
    return reg.get(oid, str(r.get("organisation") or oid))


def prepare(rows: list[dict], value_col: str, start, end, t: Translate, rate: str = "published",
            area: str | None = None, orgs: dict | None = None) -> list[dict]:
    """The records (`records(with_source_names(frame, sources))`) with what drawing them needs:
    org (Organisation), days, scope, role, long, y (value or rate), y_low/y_high, value_text,
    label_value (direct label), rate_value. Rows without any value are left out."""
    reg = registry()
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    window_days = (end - start).days + 1
    out = []
    for r in rows:
        value, low, high = r.get(value_col), r.get("low"), r.get("high")
        if value is None and (low is None or high is None):
            continue
        ps, pe = pd.Timestamp(r["period_start"]), pd.Timestamp(r["period_end"])
        days = (pe - ps).days + 1
        org = org_of(r, reg, orgs)
        scope = scope_of(r.get("area_en"), r.get("pcode"), r.get("location_pcode"))
        if area:
            role = "whole" if r.get("pcode") == area and not r.get("parts") else "part"
        else:
            part = scope == "place" or (r.get("direction") in ("arrivals", "departures") and scope == "area")
            role = "part" if part else "whole"
        # a period figure over more than the period shown, running past it (a cumulative figure is
        # drawn at its date, "since" its start: never read as the period's own)
        long_ = r.get("measure") != "cumulative" and days > window_days and (ps < start or pe > end)
        per = RATE_DAYS.get(rate)
        scale = per / days if per else 1.0
        y = float(value) * scale if value is not None else None
        y_low = float(low) * scale if low is not None else None
        y_high = float(high) * scale if high is not None else None
        month_rate = float(value) * RATE_DAYS["month"] / days if value is not None else None
        prefix = QUALIFIER_PREFIX.get(r.get("qualifier") or "exact", "")
        if value is not None:
            value_text = f"{prefix}{int(value):,}"
        else:
            value_text = f"{int(low):,}–{int(high):,}"
        if per and y is not None:
            label_value = f"{'≥' if r.get('qualifier') == 'at_least' else '≈'}{rate_text(y)}"
        elif per:
            label_value = f"≈{rate_text(y_low)}–{rate_text(y_high)}"
        else:
            label_value = value_text
        value_text, label_value = ltr(value_text, t.lang), ltr(label_value, t.lang)
        out.append({
            **r, "org": org, "days": days, "scope": scope, "role": role, "long": long_, "y": y, "y_low": y_low,
            "y_high": y_high, "value_text": value_text, "label_value": label_value, "month_rate": month_rate,
        })
    return out


def hover(r: dict, unit_label: str, t: Translate, rate: str = "published") -> str:
    """What a figure's hover says: the value (and rate), unit, area and its kind, period and its
    length, the organisation and document date, and what it is summed from."""
    period = fmt_period(r["period_start"], r["period_end"], t.lang)
    lines = [f"<b>{r['value_text']}</b> {unit_label}"]
    if r.get("month_rate") is not None and (rate != "published" or r["long"] or r["days"] > 45):
        per_day = r["month_rate"] / RATE_DAYS["month"]
        lines.append(t("≈{m} per month, ≈{d} per day (mean over its period)").format(
            m=ltr(rate_text(r["month_rate"]), t.lang), d=ltr(rate_text(per_day), t.lang)))
    lines.append(t("{period} ({length})").format(period=period, length=duration(r["days"], t)))
    scope = t(SCOPE_LABELS[r["scope"]])
    lines.append(t("Area: {area} ({scope})").format(area=esc(area_words(r, t.lang)), scope=scope))
    if r.get("parts"):
        lines.append(t("from {n} communities").format(n=f"{int(r['parts']):,}"))
    short, cell = r["org"].short(t.lang), str(r.get("organisation") or "")
    shown = short if normalise(short) == normalise(cell) else f"{short} · {COPY_MARKER.sub(' ', cell).strip()}"
    who = esc(t("{org} (copy; original not found)").format(org=shown) if COPY_MARKER.search(cell) else shown)
    lines.append(f"{t('Source')}: {who}, {esc(r.get('published'))}")
    if r["long"]:
        lines.append(f"<i>{t('Its period runs past the period shown: not a figure for the period shown.')}</i>")
    if r.get("kind") == "statement_by_party":
        lines.append(f"<i>{t('Statement by a party to the conflict')}</i>")
    return "<br>".join(lines)


def table_row(r: dict, t: Translate) -> list:
    """A figure's row in the chart's data table: period, value with its qualifier, area, source."""
    return [fmt_period(r["period_start"], r["period_end"], t.lang) + f" ({duration(r['days'], t)})", r["value_text"],
            esc(area_words(r, t.lang)), f"{esc(r['org'].short(t.lang))}, {esc(r.get('published'))}"]


def label_text(r: dict, t: Translate, rate: str) -> str:
    """A line's direct label: organisation and latest value (as drawn), the period's length where
    it runs past the period shown, 'since' for a cumulative figure."""
    text = f"{esc(r['org'].short(t.lang))} {r['label_value']}"
    if rate != "published":
        return f"{text} {t(RATE_SUFFIX[rate])}"
    if r.get("measure") == "cumulative":
        text += "<br>" + t("since {date}").format(date=fmt_date(r["period_start"], t.lang))
    if r["long"] and r.get("month_rate") is not None:
        text += "<br>" + t("in {length} (≈{m} per month)").format(length=duration(r["days"], t),
                                                                m=ltr(rate_text(r["month_rate"]), t.lang))
    return text


def segments(rows: list[dict], name: str, colour: str, dash: str = "solid", width: float = 3, symbol: str = "circle",
             visible=True, opacity: float = 1.0, legendgroup: str | None = None, group_title: str | None = None,
             yaxis: str = "y", running: bool = False) -> dict:
    """Rows as flat segments over their periods at `y`, one legend entry; meta: the sources and the
    rows of the data table. `running`: cumulative figures, drawn as a running total instead, a
    point at the end of each period joined to the next one counted from the same day (a total
    since 1 December drawn flat from 1 December would read as if reached then)."""
    rows = [r for r in rows if r["y"] is not None]
    xs, ys, texts = [], [], []
    if running:
        rows = sorted(rows, key=lambda r: (pd.Timestamp(r["period_start"]), pd.Timestamp(r["period_end"])))
        for i, r in enumerate(rows):
            if i and pd.Timestamp(r["period_start"]) != pd.Timestamp(rows[i - 1]["period_start"]):
                xs.append(None)
                ys.append(None)
                texts.append(None)
            xs.append(iso(r["period_end"]))
            ys.append(r["y"])
            texts.append(r["hover"])
    for r in ([] if running else rows):
        xs += [iso(r["period_start"]), iso(r["period_end"]), None]
        ys += [r["y"], r["y"], None]
        texts += [r["hover"], r["hover"], None]
    trace = {
        "type": "scatter", "x": xs, "y": plain(ys), "hovertext": texts, "hoverinfo": "text", "name": name,
        "mode": "lines+markers", "line": {"color": colour, "width": width, "dash": dash},
        "marker": {"size": 7, "color": colour, "symbol": symbol}, "visible": visible, "connectgaps": False,
        "opacity": opacity, "legendgroup": legendgroup or name,
        "meta": {"sources": sorted({str(r["source_id"]) for r in rows if r.get("source_id") is not None}),
                 "rows": [r["table"] for r in rows]},
    }
    if group_title:
        trace["legendgrouptitle"] = {"text": group_title}
    if yaxis != "y":
        trace["yaxis"] = yaxis
    return trace


def ranges(rows: list[dict], name: str, colour: str, visible=True, legendgroup: str | None = None,
           yaxis: str = "y") -> dict | None:
    """Rows published as a low–high range: a vertical bar at the middle of the period."""
    rows = [r for r in rows if r["y"] is None and r["y_low"] is not None and r["y_high"] is not None]
    if not rows:
        return None
    xs, ys, up, down = [], [], [], []
    for r in rows:
        s, e = pd.Timestamp(r["period_start"]), pd.Timestamp(r["period_end"])
        centre = (r["y_low"] + r["y_high"]) / 2
        xs.append(iso(s + (e - s) / 2))
        ys.append(centre)
        up.append(r["y_high"] - centre)
        down.append(centre - r["y_low"])
    trace = {
        "type": "scatter", "x": xs, "y": ys, "mode": "markers", "name": name, "legendgroup": legendgroup or name,
        "showlegend": False, "visible": visible, "marker": {"size": 7, "color": colour, "symbol": "line-ew-open"},
        "hovertext": [r["hover"] for r in rows], "hoverinfo": "text",
        "meta": {"sources": sorted({str(r["source_id"]) for r in rows}), "rows": [r["table"] for r in rows]},
        "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down, "color": colour,
                    "thickness": 2, "width": 6},
    }
    if yaxis != "y":
        trace["yaxis"] = yaxis
    return trace


def last_point(rows: list[dict], end) -> tuple[str, float] | None:
    """Where a line ends within the period shown: the latest-ending figure (the largest of those
    ending together), at the end of its period or of the period shown."""
    drawn = [r for r in rows if r["y"] is not None]
    if not drawn:
        return None
    last = max(drawn, key=lambda r: (pd.Timestamp(r["period_end"]), r["y"]))
    x = min(pd.Timestamp(last["period_end"]), pd.Timestamp(end))
    return iso(x), last


def window_rows(rows: list[dict], start, end, reference_scope: str | None, t: Translate) -> list[dict]:
    """The common-window view: each figure whose period overlaps the period shown, with how much of
    its period lies inside it, its mean per month, and whether its area differs from the chart's
    (never summed). Sorted by unit, then by the share inside the window (largest first)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    out = []
    for r in rows:
        ps, pe = pd.Timestamp(r["period_start"]), pd.Timestamp(r["period_end"])
        inside = (min(pe, end) - max(ps, start)).days + 1
        if inside <= 0:
            continue
        share = inside / r["days"]
        differs = reference_scope is not None and r["scope"] != reference_scope
        out.append({
            "unit": r.get("unit"), "organisation": r["org"].short(t.lang), "org_id": r["org"].id,
            "colour": r["org"].colour, "value": r["value_text"], "period": fmt_period(ps, pe, t.lang),
            "length": duration(r["days"], t), "days": r["days"], "inside_days": inside, "share": share,
            "per_month": ltr(rate_text(r["month_rate"]), t.lang) if r.get("month_rate") is not None else "",
            "area": area_words(r, t.lang), "scope": t(SCOPE_LABELS[r["scope"]]), "area_differs": differs,
            "source_id": r.get("source_id"), "published": r.get("published"),
        })
    out.sort(key=lambda w: (str(w["unit"]), -w["share"], w["organisation"]))
    return out
