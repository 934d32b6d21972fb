"""What an export from the command line asks for, and the file it makes: the arguments of
`python -m dashboard.export` (dashboard/export/__main__.py, which writes the file) and of the export
workers' command task (dashboard/export/queue.py, which draws it elsewhere)."""
from __future__ import annotations

import argparse

import pandas as pd


def chart_names() -> tuple[str, ...]:
    """What `chart` and `data` export: every registered panel (dashboard.panels), in page order."""
    from dashboard import panels

    return panels.names()


class UsageError(ValueError):
    pass


def _month(text: str, option: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{option} {text!r}: expected a date such as 2020-02-01 or 2020-02") from exc


def build_state(args, bounds):
    """The ViewState of the arguments, checked against the warehouse (an error names the argument)."""
    from dashboard.data.state import month_start, parse_frame, parse_query

    query: dict[str, str] = {}
    if args.date_from:
        query["from"] = month_start(_month(args.date_from, "--from")).strftime("%Y-%m")
    if args.date_to:
        query["to"] = month_start(_month(args.date_to, "--to")).strftime("%Y-%m")
    for key in ("from", "to"):
        if key in query and not (bounds.first <= pd.Timestamp(query[key]) <= bounds.last):
            raise UsageError(f"--{key} {query[key]}: the warehouse has figures from {bounds.first:%Y-%m} "
                             f"to {bounds.last:%Y-%m}")
    if "from" in query and "to" in query and query["from"] > query["to"]:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    for area in args.area or []:
        if area not in bounds.pcodes:
            raise UsageError(f"--area {area}: not a P-code of the warehouse's admin areas (e.g. SY07 for Idleb)")
    if args.area:
        query["area"] = ",".join(args.area)
    if args.level is not None:
        if args.level not in bounds.levels:
            raise UsageError(f"--level {args.level}: the warehouse has admin levels {', '.join(map(str, bounds.levels))}")
        query["level"] = str(args.level)
    if args.indicator:
        if args.indicator not in bounds.indicators:
            raise UsageError(f"--indicator {args.indicator}: expected one of {', '.join(bounds.indicators)}")
        query["ind"] = args.indicator
    for org in args.sources or []:
        if org not in bounds.organisations:
            raise UsageError(f"--sources {org!r}: expected an organisation of the warehouse ({', '.join(bounds.organisations)})")
    if args.sources:
        query["src"] = ",".join(args.sources)
    if getattr(args, "bbox", None):
        if parse_frame(args.bbox) is None:
            raise UsageError(f"--bbox {args.bbox}: expected west,south,east,north in degrees around north-west Syria")
        query["bbox"] = args.bbox
    return parse_query(query, bounds)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def view_options(s):
        s.add_argument("--from", dest="date_from", help="first month (2020-02 or 2020-02-01)")
        s.add_argument("--to", dest="date_to", help="last month, included whole (2020-02 or 2020-02-29)")
        s.add_argument("--area", action="append", help="an admin area's P-code (repeat to compare, up to 4)")
        s.add_argument("--level", type=int, help="the map's admin level (1-3)")
        s.add_argument("--bbox", help="the map's frame: west,south,east,north in degrees (as the page's link)")
        s.add_argument("--indicator", help="the map's indicator (e.g. idp_arrivals)")
        s.add_argument("--sources", action="append", help="an organisation to keep (repeat for several)")
        s.add_argument("--lang", default="en", help="language of the text (en)")
        s.add_argument("--out", help="file to write (default: a name from the chart and period)")
        s.add_argument("--timeout", type=float, default=None, help="seconds allowed per rendered page")
        s.add_argument("--queue", action="store_true",
                       help="have an export worker draw it (the queue in IDLIB_REDIS_URL; python -m dashboard.worker)")

    r = sub.add_parser("report", help="the A4 situation report (PDF)")
    view_options(r)
    c = sub.add_parser("chart", help="one chart or the map as PNG, SVG or PDF")
    c.add_argument("name", choices=chart_names())
    c.add_argument("--format", default="png", choices=("png", "svg", "pdf"))
    c.add_argument("--width", type=int, default=1000, help="width in CSS pixels (PNG at twice that)")
    view_options(c)
    d = sub.add_parser("data", help="the numbers behind a chart or the map as CSV or XLSX")
    d.add_argument("name", choices=chart_names())
    d.add_argument("--format", default="xlsx", choices=("csv", "xlsx"))
    view_options(d)
    return p


def produce(args, close: bool = True) -> tuple[bytes, str]:
    """The file the arguments ask for: (its bytes, its default name). `close`: end the renderer after
    (an export worker keeps it warm for the next job)."""
    from dashboard.data import catalog
    from dashboard.data.warehouse import warehouse
    from dashboard.export import files, render, report
    from dashboard.request import Request

    wh = warehouse()
    ctx = files.context_of(Request.of(wh, build_state(args, catalog.bounds(wh)), args.lang))
    try:
        if args.command == "report":
            return report.report(ctx, timeout=args.timeout), files.filename("report", ctx, "pdf")
        if args.command == "chart":
            if not 300 <= args.width <= 4000:
                raise UsageError(f"--width {args.width}: expected 300 to 4000 pixels")
            return (files.chart_image(args.name, ctx, args.format, args.width, timeout=args.timeout),
                    files.filename(args.name, ctx, args.format))
        return files.chart_data(args.name, ctx, args.format), files.filename(args.name, ctx, args.format)
    finally:
        if close:
            render.renderer().close()


