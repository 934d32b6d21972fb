"""Command line: python -m etl run [JOB ...] | status | jobs

run     build a new warehouse version from the committed sources and publish it atomically
status  print the live version, its build time, code version, tables and row counts
jobs    list the jobs in run order
"""
from __future__ import annotations

import argparse
import sys

from etl.config import Settings
from etl.core.issues import SourceError
from etl.core.warehouse import WarehouseError, open_live


def _status(settings: Settings) -> int:
    version = open_live(settings.warehouse_dir)
    print(f"live version: {version.name}")
    print(f"built at:     {version.built_at}")
    print(f"code:         {version.manifest['code_version']}")
    print(f"{'table':<14}{'rows':>8}{'rejected':>10}")
    for name, meta in sorted(version.manifest["tables"].items()):
        print(f"{name:<14}{meta['rows']:>8}{meta['rejected']:>10}")
    return 0


def _run(settings: Settings, jobs: list[str]) -> int:
    from etl import pipeline

    version, issues = pipeline.run(settings, jobs or None)
    if issues.problems:
        print(f"{len(issues.problems)} row problem(s); rows were kept out of the warehouse:", file=sys.stderr)
        print(issues.summary(), file=sys.stderr)
    print(f"published warehouse version {version}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build and publish a new warehouse version")
    run.add_argument("jobs", nargs="*", help="jobs to run (default: all); other tables are carried over")
    sub.add_parser("status", help="show the live version")
    sub.add_parser("jobs", help="list the jobs")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "status":
            return _status(settings)
        if args.command == "jobs":
            from etl.pipeline import job_names

            print("\n".join(job_names()))
            return 0
        return _run(settings, args.jobs)
    except (SourceError, WarehouseError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
