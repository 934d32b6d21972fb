"""Command line: python -m etl run [--config PATH] [--offline] [--keep-going] [--profile] | refresh | status | sources


run      read every source of the sources file (default data/sources.toml), validate, join and
         publish a new warehouse version atomically; one source that cannot be read stops the run
         (nothing published) unless --keep-going, which publishes the others and lists it;
         --profile (or ETL_PROFILE=1) prints the time of each step (read, validate, joins, derived
         tables, publish) on stderr
refresh  [--config PATH] [--keep-going] [--target postgresql://...]: fetch every downloaded source
         again (conditional requests: a file the server says is unchanged is not downloaded), then
         publish a new version only if an input or the ETL's code changed; for a scheduler (cron,
         systemd timer); --target makes that database serve the live version too
status   print the live version, its build time, code version, tables, row counts, rows rejected
         and rows kept with a note, and the sources a --keep-going run left out
sources  [--config PATH]: list the sources a run would read

Exit status: 0 done, 1 failed (a source, the sources file or the warehouse; the message says
which; also after --keep-going published a version without its failed sources), 2 unexpected (a
bug), 73 disk full or cannot create a file, 74 other I/O error, 77 permission denied or read-only,
141 the reader of the output went away (see etl/core/exits.py). `refresh`: 0 also when nothing
changed (it says so), 3 when --keep-going published a version without its failed sources.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl.config import Settings, debug, profile_settings
from etl.core import exits
from etl.core.issues import SourceError
from etl.core.warehouse import WarehouseError, open_live


def _status(settings: Settings) -> int:
    version = open_live(settings.warehouse_dir)
    print(f"live version: {version.name}")
    print(f"built at:     {version.built_at}")
    print(f"code:         {version.manifest['code_version']}")
    print(f"{'table':<18}{'rows':>8}{'rejected':>10}{'kept with a note':>18}")
    for name, meta in sorted(version.manifest["tables"].items()):
        print(f"{name:<18}{meta['rows']:>8}{meta['rejected']:>10}{meta.get('kept_with_note', 0):>18}")
    for failed in version.manifest.get("failed_sources", []):
        print(f"failed source left out: {failed['source']}: {failed['reason']}")
    return 0


def _sources(settings: Settings, config: Path | None) -> int:
    from etl import sources

    for spec in sources.load(config, data_dirs=settings.data_dirs):
        print(f"{spec.name:<22}{spec.adapter:<16}{spec.location}")
    return 0


KEEP_GOING_HINT = ("Nothing was published; the previous warehouse version stays live. To publish what the other "
                   "sources give and list each source that fails, run again with --keep-going.")


def _run(settings: Settings, config: Path | None, offline: bool, keep_going: bool = False,
         profile: bool = False) -> int:
    from etl import pipeline
    from etl.core import timing

    wanted, json_path = profile_settings()
    if profile or wanted:
        timing.enable(json_path)
    try:
        version, issues = pipeline.run(settings, config=config, offline=offline, keep_going=keep_going)
    except pipeline.SourceFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(KEEP_GOING_HINT, file=sys.stderr)
        return exits.FAILED
    timing.report()
    return _published(version, issues, exits.FAILED)


def _published(version: str, issues, without_some: int) -> int:
    """Say what a run published (rows rejected, the version, sources left out); `without_some` is
    the status when sources were left out."""
    if issues.problems:
        print(f"{issues.count()} row(s) rejected and {issues.kept()} kept with a note ({len(issues.problems)} "
              "problem(s), also in the rejects table):", file=sys.stderr)
        print(issues.summary(), file=sys.stderr)
    print(f"published warehouse version {version}")
    if issues.failures:
        print(f"{len(issues.failures)} source(s) failed and were left out of this version:", file=sys.stderr)
        for name, reason in issues.failures:
            print(f"    {name}: {reason}", file=sys.stderr)
        return without_some
    return exits.OK


def _to_postgis(settings: Settings, url: str, if_behind: bool = False) -> int:
    """Publish the live version to PostgreSQL/PostGIS: 0, or exits.FAILED with the database's reason
    (the database's live version stays as it was). `if_behind` (refresh): only when the database
    does not serve that version already (a first refresh with --target, or a publish that failed)."""
    from etl.core import postgis
    from etl.core.warehouse import open_live

    if not url.startswith(("postgresql://", "postgres://")):
        print(f"error: --target expects a postgresql:// URL, got {url.split('@')[-1]!r}", file=sys.stderr)
        return exits.FAILED
    version = open_live(settings.warehouse_dir)
    try:
        if if_behind and postgis.live_version(url) == version.name:
            print(f"PostgreSQL already serves warehouse version {version.name}")
            return 0
        schema = postgis.publish(url, version, keep=settings.keep_versions)
    except postgis.PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exits.FAILED
    print(f"published warehouse version {version.name} to PostgreSQL (schema {schema})")
    return 0


def _refresh(settings: Settings, config: Path | None, keep_going: bool) -> int:
    """`python -m etl refresh`: 0 when the live version is current (nothing rebuilt) or a new one was
    published, exits.FAILED when a source failed (nothing published without --keep-going), and with
    --keep-going exits.PARTIAL when a version was published without some sources."""
    from etl import pipeline

    try:
        done = pipeline.refresh(settings, config=config, keep_going=keep_going)
    except pipeline.SourceFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(KEEP_GOING_HINT, file=sys.stderr)
        return exits.FAILED
    if isinstance(done, pipeline.Unchanged):
        print(f"up to date: no input changed since warehouse version {done.version}; nothing rebuilt")
        return exits.OK
    return _published(*done, exits.PARTIAL)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build and publish a new warehouse version")
    run.add_argument("--config", type=Path, help="sources file (default data/sources.toml)")
    run.add_argument("--offline", action="store_true", help="use cached downloads only; never touch the network")
    run.add_argument("--keep-going", action="store_true",
                     help="publish what the sources that load give, and list each source that fails with its reason")
    run.add_argument("--profile", action="store_true", help="print the time of each step on stderr (also ETL_PROFILE=1)")
    run.add_argument("--target", metavar="postgresql://...",
                     help="also publish the version to this PostgreSQL/PostGIS database (its own schema, made live "
                          "atomically; see etl/core/postgis.py)")
    again = sub.add_parser("refresh", help="fetch the sources again and publish a new version only if an input changed")
    again.add_argument("--config", type=Path, help="sources file (default data/sources.toml)")
    again.add_argument("--keep-going", action="store_true",
                       help="publish what the sources that load give, and list each source that fails with its reason")
    again.add_argument("--target", metavar="postgresql://...",
                       help="also make this PostgreSQL/PostGIS database serve the live version (published when it "
                            "serves another, whether or not this refresh rebuilt)")
    sub.add_parser("status", help="show the live version")
    listing = sub.add_parser("sources", help="list the sources a run would read")
    listing.add_argument("--config", type=Path, help="sources file (default data/sources.toml)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "sources":
            code = _sources(settings, args.config)
        elif args.command == "status":
            code = _status(settings)
        elif args.command == "refresh":
            code = _refresh(settings, args.config, args.keep_going)
            if args.target and code in (exits.OK, exits.PARTIAL):
                code = _to_postgis(settings, args.target, if_behind=True) or code
        else:
            code = _run(settings, args.config, args.offline, args.keep_going, args.profile)
            if args.target and code in (exits.OK, exits.PARTIAL):
                code = _to_postgis(settings, args.target) or code
        sys.stdout.flush()  # a reader gone away shows here, not in Python's final flush
        return code
    except (SourceError, WarehouseError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exits.FAILED
    except Exception as exc:
        kind = exits.classify(exc)
        if kind is not None and kind[0] == exits.BROKEN_PIPE:
            return exits.quiet_broken_pipe()
        if kind is not None:  # the machine, not the data or the code
            after = " Nothing was published; the previous warehouse version stays live." if args.command == "run" else ""
            print(f"error: {kind[1]}{after}", file=sys.stderr)
            return kind[0]
        if debug():  # a bug, not bad input: no traceback for the user unless asked
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}. Nothing was published; the previous warehouse "
              "version stays live. Set ETL_DEBUG=1 to see the traceback and report it.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
