"""Runs the jobs in order into one new warehouse version and publishes it.

Each job reads its sources, validates them, transforms and hands finished tables to the context.
Tables of jobs not selected are carried over unchanged from the live version.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from etl.config import Settings
from etl.core.issues import Issues
from etl.core.progress import Progress
from etl.core.warehouse import SourceFile, Version, VersionWriter, WarehouseError, build_version, open_live


@dataclass
class RunContext:
    """What a job sees: a place to put tables, the run's problem collector, earlier tables."""

    writer: VersionWriter
    issues: Issues
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    previous: Version | None = None

    def write(self, name: str, frame: pd.DataFrame, sources: list[SourceFile]) -> None:
        self.writer.write_table(name, frame, sources, rejected=self.issues.count(name))
        self.tables[name] = frame

    def table(self, name: str) -> pd.DataFrame:
        """A table written earlier in this run, or else the live version's copy."""
        if name in self.tables:
            return self.tables[name]
        if self.previous is not None:
            return self.previous.read(name)
        raise WarehouseError(f"table {name!r} is needed but neither built in this run nor in a live version")


Job = Callable[[RunContext], None]


def _jobs() -> dict[str, tuple[Job, tuple[str, ...]]]:
    from etl.jobs import crossings, figures, geometry, places

    # name -> (job, tables it writes); order is the run order
    return {
        "geometry": (geometry.run, geometry.TABLES),
        "places": (places.run, places.TABLES),
        "crossings": (crossings.run, crossings.TABLES),
        "figures": (figures.run, figures.TABLES),
    }


def job_names() -> list[str]:
    return list(_jobs())


def run(settings: Settings, selected: list[str] | None = None, progress: Progress | None = None) -> tuple[str, Issues]:
    """Build and publish a new version; returns its name and the problems found."""
    jobs = _jobs()
    unknown = [j for j in selected or [] if j not in jobs]
    if unknown:
        raise WarehouseError(f"unknown job(s) {', '.join(unknown)}; known: {', '.join(jobs)}")
    chosen = [j for j in jobs if not selected or j in selected]
    try:
        previous = open_live(settings.warehouse_dir)
    except WarehouseError:
        previous = None
    if selected and previous is None:
        raise WarehouseError("no live version to carry other tables over from: run all jobs first")
    issues = Issues()
    progress = progress or Progress(len(chosen) + 1)
    with build_version(settings.warehouse_dir, keep=settings.keep_versions) as writer:
        ctx = RunContext(writer, issues, previous=previous)
        for name in chosen:
            jobs[name][0](ctx)
            progress.step(f"{name}: {', '.join(jobs[name][1])}")
        _carry_over(ctx, previous, [t for j in jobs if j not in chosen for t in jobs[j][1]])
        ctx.write("rejects", issues.to_frame(), [])
        progress.step("rejects")
        version = writer.version
    return version, issues


def _carry_over(ctx: RunContext, previous: Version | None, tables: list[str]) -> None:
    for table in tables:
        meta = previous.manifest["tables"][table]
        ctx.writer.write_table(
            table, previous.read(table), [SourceFile(**s) for s in meta["sources"]], meta["rejected"]
        )
