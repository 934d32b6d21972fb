"""The versioned warehouse: each ETL run writes a new version beside the old ones and publishes
it atomically.

Layout under the warehouse directory:

    versions/<version>/<table>.parquet   tables (GeoParquet for geometry tables)
    versions/<version>/manifest.json     per table: file, rows, rejected rows, rows kept with a
                                         note, sources + sha256; code version, build time, sources
                                         that failed (a run with --keep-going)
    .staging-<version>/                  a run in progress (never read)
    CURRENT                              the live version's name, replaced with os.replace
    .lock                                held by the one run allowed at a time

A version directory appears (by rename) only once every table and the manifest are written and
flushed; CURRENT changes only after that. A failed or killed run therefore leaves the previous
version live, and readers never see a half-written version.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.core.exits import errno_of

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
ETL_CODE = Path(__file__).resolve().parents[1]  # the etl package, whose code the code version names


class WarehouseError(Exception):
    """The warehouse is missing, locked or inconsistent; the message says what to do."""


@dataclass(frozen=True)
class SourceFile:
    """A file a table was built from, with its checksum."""

    path: str
    sha256: str
    licence: str = ""

    @classmethod
    def of(cls, path: Path, licence: str = "", relative_to: Path | None = None) -> SourceFile:
        """The file with its checksum, named relative to `relative_to` (the project's root) when
        it lies inside it, else by its path as given."""
        try:
            shown = str(path.resolve().relative_to(relative_to)) if relative_to is not None else str(path)
        except ValueError:
            shown = str(path)
        return cls(shown, sha256_file(path), licence)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version() -> str:
    """The git commit of the code (with '+dirty' if the ETL has local changes), else a hash of it."""
    digest = hashlib.sha256()
    for path in sorted(ETL_CODE.rglob("*.py")):
        digest.update(path.read_bytes())
    tree = digest.hexdigest()[:12]
    try:
        commit = subprocess.run(
            ["git", "-C", str(ETL_CODE), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ETL_CODE), "status", "--porcelain", "--", "."],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        return f"git:{commit}{'+dirty' if dirty else ''} etl-sha256:{tree}"
    except (OSError, subprocess.SubprocessError):
        return f"etl-sha256:{tree}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


class VersionWriter:
    """Writes the tables of one new version into a staging directory."""

    def __init__(self, root: Path, version: str, staging: Path):
        self.root = root
        self.version = version
        self.staging = staging
        self.tables: dict[str, dict] = {}
        self.failed: list[dict] = []  # sources that could not be read (a run with --keep-going): name, reason
        self.inputs: dict[str, list[list[str]]] = {}  # per source, its files' [path, sha256] (`etl refresh` compares)
        # per source: rows read, rows rejected and kept with a note by its adapter, when it was downloaded
        self.source_stats: dict[str, dict] = {}

    def write_table(self, name: str, frame: pd.DataFrame, sources: list[SourceFile], rejected: int = 0,
                    kept: int = 0) -> None:
        if name in self.tables:
            raise WarehouseError(f"table {name!r} written twice in one run")
        path = self.staging / f"{name}.parquet"
        try:
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_parquet(path, index=False)
            else:
                pd.DataFrame(frame).to_parquet(path, index=False)
            _fsync_file(path)
        except OSError as exc:
            if exc.filename is not None:
                raise
            raise _named(exc, path) from exc
        self.tables[name] = {
            "file": path.name,
            "rows": int(len(frame)),
            "rejected": int(rejected),
            "kept_with_note": int(kept),
            "geometry": isinstance(frame, gpd.GeoDataFrame),
            "columns": [str(c) for c in frame.columns],
            "sources": [vars(s) for s in sources],
        }

    def _write_manifest(self, built_at: str) -> None:
        manifest = {
            "version": self.version,
            "built_at": built_at,
            "code_version": code_version(),
            "tables": self.tables,
            "failed_sources": self.failed,
            "inputs": self.inputs,
            "source_stats": self.source_stats,
        }
        path = self.staging / MANIFEST
        path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _fsync_file(path)


def _named(exc: OSError, path: Path) -> OSError:
    """pyarrow's OSError carries the errno but not the file: the same error, naming it."""
    code = errno_of(exc)
    return OSError(code, os.strerror(code), str(path)) if code else OSError(None, str(exc), str(path))


def _new_version_name(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S.%fZ") + "-" + uuid.uuid4().hex[:4]


@contextmanager
def _lock(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseError(f"another ETL run holds {root / '.lock'}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stale_staging(root: Path) -> None:
    """Staging directories left by killed runs (only called while holding the lock)."""
    for stale in root.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _prune(root: Path, live: str, keep: int) -> None:
    versions = sorted(p.name for p in (root / "versions").iterdir() if p.is_dir())
    old = [v for v in versions if v != live][: max(0, len(versions) - keep)]
    for name in old:
        shutil.rmtree(root / "versions" / name, ignore_errors=True)


@contextmanager
def build_version(root: Path, keep: int = 5):
    """Yield a VersionWriter; on normal exit publish the version, on any error discard it.

    The previous live version stays live until the new one is complete on disk.
    """
    with _lock(root):
        _remove_stale_staging(root)
        now = datetime.now(UTC)
        version = _new_version_name(now)
        staging = root / f".staging-{version}"
        staging.mkdir(parents=True)
        writer = VersionWriter(root, version, staging)
        try:
            yield writer
            writer._write_manifest(now.isoformat(timespec="seconds"))
            _fsync_dir(staging)
            (root / "versions").mkdir(exist_ok=True)
            final = root / "versions" / version
            os.rename(staging, final)
            _fsync_dir(root / "versions")
            pointer = root / f".{CURRENT}.tmp"
            pointer.write_text(version + "\n", encoding="utf-8")
            _fsync_file(pointer)
            os.replace(pointer, root / CURRENT)
            _fsync_dir(root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _prune(root, version, keep)


def live_version(root: Path) -> str:
    """Name of the live version; a clear error if none has been published yet."""
    pointer = root / CURRENT
    if not pointer.exists():
        raise WarehouseError(f"no warehouse at {root}: build one with `python -m etl run` (or `make run`)")
    return pointer.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class Version:
    """A published, read-only warehouse version."""

    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.manifest["version"]

    @property
    def built_at(self) -> str:
        return self.manifest["built_at"]

    def read(self, table: str) -> pd.DataFrame:
        try:
            meta = self.manifest["tables"][table]
        except KeyError:
            raise WarehouseError(f"table {table!r} is not in warehouse version {self.name}") from None
        path = self.path / meta["file"]
        return gpd.read_parquet(path) if meta["geometry"] else pd.read_parquet(path)


def open_live(root: Path) -> Version:
    """Open the live version (resolved once: later publishes do not change what it reads)."""
    return open_version(root, live_version(root))


def open_version(root: Path, name: str) -> Version:
    path = root / "versions" / name
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WarehouseError(f"warehouse version {name} named in {root / CURRENT} is missing") from None
    return Version(path, manifest)
