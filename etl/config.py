"""Paths and settings, anchored on the project root; the environment is read once, here.

Nothing happens at import time beyond computing paths.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from etl.core.ckan import HDX_BASE
from etl.core.hapi_api import HAPI_BASE
from etl.core.limits import DEFAULTS, ENV, Limits
from etl.core.ucdp_api import UCDP_BASE
from etl.core.unhcr_api import UNHCR_BASE

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
ASSETS_DIR = ROOT / "assets"
SHARED_DATA_DIR = ROOT.parent / "shared" / "data"


def debug() -> bool:
    """ETL_DEBUG set: an unexpected error shows its traceback (python -m etl)."""
    return bool(os.environ.get("ETL_DEBUG"))


def profile_settings() -> tuple[bool, Path | None]:
    """ETL_PROFILE=1: print the per-step timing table of a run (as `python -m etl run --profile`);
    ETL_PROFILE_JSON=FILE: also write it to FILE as JSON (the ETL benchmark reads it)."""
    target = os.environ.get("ETL_PROFILE_JSON", "").strip()
    wanted = os.environ.get("ETL_PROFILE", "").strip() not in ("", "0") or bool(target)
    return wanted, Path(target) if target else None


def prepare_cache_dir() -> Path:
    """Where the one-off jobs of etl/prepare/ keep their downloads: $XDG_CACHE_HOME/etl-derive
    (default ~/.cache/etl-derive)."""
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "etl-derive"


def _database_url(value: str) -> str:
    if value and not value.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"IDLIB_WAREHOUSE_URL must be a postgresql:// URL, got {value.split('@')[-1]!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Settings read from the environment once."""

    warehouse_dir: Path
    keep_versions: int
    cache_dir: Path = ROOT / ".cache" / "sources"
    limits: Limits = DEFAULTS  # IDLIB_MAX_* and IDLIB_DOWNLOAD_*
    data_dirs: tuple[Path, ...] = ()  # IDLIB_DATA_DIRS: folders sources may be read from, beside the sources file's
    hdx_base: str = HDX_BASE  # IDLIB_HDX_URL: where HDX packages are looked up (etl/core/ckan.py)
    ucdp_base: str = UCDP_BASE  # IDLIB_UCDP_URL: UCDP's API (etl/core/ucdp_api.py)
    ucdp_token: str = field(default="", repr=False)  # UCDP_ACCESS_TOKEN: sent as a header, never written
    unhcr_base: str = UNHCR_BASE  # IDLIB_UNHCR_URL: UNHCR's population statistics API (etl/core/unhcr_api.py)
    hapi_base: str = HAPI_BASE  # IDLIB_HAPI_URL: HDX HAPI (etl/core/hapi_api.py)
    hapi_identifier: str = field(default="", repr=False)  # HDX_HAPI_APP_IDENTIFIER: a header, never written
    # IDLIB_WAREHOUSE_URL: the PostgreSQL/PostGIS database the dashboard reads the warehouse from instead of
    # warehouse_dir (etl/core/postgis.py); may hold a password, so never shown
    warehouse_url: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        wh = os.environ.get("IDLIB_WAREHOUSE")
        keep = os.environ.get("IDLIB_KEEP_VERSIONS", "5")
        if not keep.isdigit() or int(keep) < 1:
            raise ValueError(f"IDLIB_KEEP_VERSIONS must be a positive integer, got {keep!r}")
        cache = os.environ.get("IDLIB_CACHE")
        given = {key: os.environ[name] for key, name in ENV.items() if os.environ.get(name, "").strip()}
        limits = DEFAULTS
        for key, value in given.items():
            limits = limits.with_values({key: value}, ENV[key])
        dirs = os.environ.get("IDLIB_DATA_DIRS", "")
        return cls(
            warehouse_dir=Path(wh).resolve() if wh else DATA_DIR / "warehouse",
            keep_versions=int(keep),
            cache_dir=Path(cache).resolve() if cache else ROOT / ".cache" / "sources",
            limits=limits,
            data_dirs=tuple(Path(d).expanduser().resolve() for d in dirs.split(os.pathsep) if d.strip()),
            hdx_base=os.environ.get("IDLIB_HDX_URL", "").strip() or HDX_BASE,
            ucdp_base=os.environ.get("IDLIB_UCDP_URL", "").strip() or UCDP_BASE,
            ucdp_token=os.environ.get("UCDP_ACCESS_TOKEN", "").strip(),
            unhcr_base=os.environ.get("IDLIB_UNHCR_URL", "").strip() or UNHCR_BASE,
            hapi_base=os.environ.get("IDLIB_HAPI_URL", "").strip() or HAPI_BASE,
            hapi_identifier=os.environ.get("HDX_HAPI_APP_IDENTIFIER", "").strip(),
            warehouse_url=_database_url(os.environ.get("IDLIB_WAREHOUSE_URL", "").strip()),
        )
