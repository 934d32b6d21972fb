"""Exports from the command line, for scheduled situation reports:

    python -m dashboard.export report --from 2020-02-01 --to 2020-02-29 --area SY07 --out report.pdf
    python -m dashboard.export chart displacement --format svg --from 2019-12 --to 2020-03 --out chart.svg
    python -m dashboard.export data map --format xlsx --from 2020-02 --to 2020-02 --level 3 --out map.xlsx
    python -m dashboard.export report --from 2020-02 --to 2020-02 --queue     (drawn by an export worker)

The view is the dashboard's (dates in whole months, areas as P-codes, the live warehouse; set
IDLIB_WAREHOUSE for another). Exit status 0 when the file was written, 2 for a bad argument, 1 when
the export failed; 73 when the file cannot be created (disk full, a file where a folder should be),
74 for another I/O error, 77 when permission is denied or the folder is read-only, 141 when the
reader of the output went away (etl/core/exits.py); messages go to stderr, never a traceback.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from dashboard.export.command import (  # noqa: F401 (the CLI's names)
    UsageError,
    build_state,
    chart_names,
    parser,
    produce,
)


def run(args, argv: list[str] | None = None) -> Path:
    if args.queue:
        from dashboard import config
        from dashboard.export import queue

        if not config.server().redis_url:
            raise UsageError("--queue: set IDLIB_REDIS_URL to the Redis holding the export queue")
        data, name = queue.enqueue_export([a for a in (argv or []) if a != "--queue"])
    else:
        data, name = produce(args)
    out = Path(args.out or name)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def main(argv=None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    from dashboard.export.render import ExportError
    from etl.core import exits
    from etl.core.warehouse import WarehouseError

    try:
        out = run(args, argv)
        print(f"wrote {out} ({out.stat().st_size:,} bytes)")
        sys.stdout.flush()  # a reader gone away shows here, not in Python's final flush
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exits.USAGE
    except (ExportError, WarehouseError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return exits.FAILED
    except OSError as exc:
        code, message = exits.classify(exc)
        if code == exits.BROKEN_PIPE:
            return exits.quiet_broken_pipe()
        print(f"export failed: {message}", file=sys.stderr)
        return code
    return exits.OK


if __name__ == "__main__":
    sys.exit(main())
