"""What an export says about itself: the period and filters of the view, the source lines, the
generation time and the data version, and the notes sheet (filters, units, caveats)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from dashboard import panels
from dashboard.data import indicators
from dashboard.data.catalog import area_label, around_title, who_and_when
from dashboard.data.state import LEVEL_LABELS, ViewState
from dashboard.data.warehouse import Warehouse
from dashboard.figures.common import fmt_period
from dashboard.i18n import N_, Translate, fmt_date, fmt_published, listed
from dashboard.organisations import registry
from dashboard.request import Request
from etl.contracts import public_url

from .printed import Caption

CAVEATS = (
    N_("Displacements count movements: one person who moves twice is counted twice. People displaced count people. The two are never added."),
    N_("Where sources report the same quantity for the same period, each keeps its own row; the chart shades the range between them. Sources are never summed across one another."),
    N_("Casualty counts differ by source, method and period; counts by a party to the conflict are marked as such."),
    N_("Figures come from the published sources listed on the sources sheet; synthetic data is never exported as real."),
)


@dataclass(frozen=True)
class Context:
    """An export's request (warehouse version, view state, selection, language) and when it was made."""

    request: Request
    generated: pd.Timestamp  # UTC

    @property
    def wh(self) -> Warehouse:
        return self.request.wh

    @property
    def state(self) -> ViewState:
        return self.request.state

    @property
    def t(self) -> Translate:
        return self.request.t

    @property
    def lang(self) -> str:
        return self.request.lang

    @property
    def period(self) -> str:
        sel = self.request.sel
        return fmt_period(sel.window_start, sel.window_end, self.lang)

    @property
    def period_range(self) -> str:
        sel = self.request.sel
        return fmt_period(sel.start, sel.end, self.lang)


def filters(ctx: Context, name: str) -> list[tuple[str, str]]:
    """(filter, value) pairs that describe what panel `name` shows: the period and areas, then the
    controls that redraw it (the indicator and level of the map, event types, the aggregation)."""
    t, state, panel = ctx.t, ctx.state, panels.get(name)
    out = [(t("Period"), ctx.period if panel.kind == "map" else ctx.period_range)]
    out.append((t("Areas"), listed((area_label(ctx.wh, a, ctx.lang) for a in state.areas), ctx.lang) if state.areas
                else t("north-west Syria (all areas)")))
    if "home-indicator" in panel.triggers:
        ind = indicators.INDICATORS.get(state.indicator)
        label = t(ind.label) if ind else t("none")
        out.append((t("Indicator"), label + (f" {t('per 10,000 people')}" if state.per10k else "")))
        out.append((t("Admin level"), t(LEVEL_LABELS.get(state.level, str(state.level)))))
    out.append((t("Sources"), listed(state.sources, ctx.lang) if state.sources else t("all")))
    if "home-etypes" in panel.triggers:
        out.append((t("Event types"), listed(state.etypes, ctx.lang) if state.etypes else t("all")))
    if "home-agg" in panel.triggers:
        out.append((t("Aggregation"), t({"day": N_("daily"), "week": N_("weekly"), "month": N_("monthly")}[state.agg])))
    return out


def subtitle(ctx: Context, name: str) -> str:
    return " · ".join(f"{k}: {v}" for k, v in filters(ctx, name))


def source_lines(wh: Warehouse, ids, t: Translate, limit: int | None = None) -> tuple[str, ...]:
    """'1. OCHA: Title, published 2020-02-29.' for each source, in the order of the page's lists.
    Beyond `limit` sources, one line per organisation with its number of documents and their dates
    (the full list is on the data export's sources sheet and the report's sources page)."""
    return _source_lines(wh, frozenset(ids), t, limit)


@lru_cache(maxsize=1024)
def _source_lines(wh: Warehouse, ids: frozenset, t: Translate, limit: int | None) -> tuple[str, ...]:
    """`source_lines`, memoised per warehouse version, set of sources, language and limit: every
    printed chart, data export and report of a view lists the same sources again."""
    src = wh["sources"]
    rows = src[src["source_id"].isin(list(ids))].sort_values(["organisation", "published", "source_id"])
    if limit is not None and len(rows) > limit:
        lines = [t("Sources ({n}), by organisation (full list in the data export and the report):").format(n=len(rows))]
        reg = registry()
        names = [reg.get(reg.ids(o)[0] if reg.ids(o) else str(o), str(o)).short(t.lang) for o in rows["organisation"]]
        for org, group in rows.assign(_org=names).groupby("_org", sort=True):
            dates = sorted(str(d) for d in group["published"].dropna())
            dates = [fmt_published(d, t.lang) for d in dates]
            span = dates[0] if dates and dates[0] == dates[-1] else (f"{dates[0]} – {dates[-1]}" if dates else "")
            lines.append(t("{org}: {n} documents, published {span}").format(org=org, n=len(group), span=span)
                         if len(group) > 1 else t("{org}: {title}, published {span}").format(
                             org=org, title=group["title"].iloc[0], span=span))
        return (lines[1:] and (lines[0], listed(lines[1:], t.lang, strong=True) + "."))
    lines = []
    for i, r in enumerate(rows.itertuples(), start=1):
        who, _ = who_and_when(r, t)
        before, after = around_title(r, t)  # the link kind; "no public link" for a local file
        link = public_url(r.url)  # never a local file path
        lines.append(f"{i}. {who}: {before}{r.title}{after}." + (f" {link}" if link else ""))
    if not lines:
        lines.append(t("Sources: none for the selected period."))
    else:
        lines.insert(0, t("Sources ({n}):").format(n=len(lines)))
    return tuple(lines)


def generated_line(ctx: Context) -> str:
    return ctx.t("Generated {when} UTC by the Idlib displacement dashboard · data version {version}, built {built}").format(
                    when=f"{fmt_date(ctx.generated, lang=ctx.lang)} {ctx.generated:%H:%M}", version=ctx.wh.version,
                    built=fmt_date(ctx.wh.built_at, lang=ctx.lang))


def caption(ctx: Context, name: str, title: str, source_ids) -> Caption:
    return Caption(title=title, subtitle=subtitle(ctx, name), sources=source_lines(ctx.wh, source_ids, ctx.t, 8),
                   generated=generated_line(ctx), lang=ctx.lang)


def notes(ctx: Context, name: str, extra: list[str] = ()) -> tuple[tuple[str, str], ...]:
    """The notes sheet: what was selected, the units, the caveats, the version of the data."""
    t = ctx.t
    rows = [(t("Chart"), t(panels.get(name).title))]
    rows += list(filters(ctx, name))
    rows.append((t("Units"), t("Each row gives its unit; values of different units are never added.")))
    rows += [(t("Caveat"), t(c)) for c in CAVEATS]
    rows += [(t("Note"), n) for n in extra]
    rows.append((t("Generated"), generated_line(ctx)))
    return tuple(rows)
