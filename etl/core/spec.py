"""One entry of the sources file, as the pipeline hands it to an adapter (see etl/sources.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceSpec:
    """One entry of the sources file (data/sources.toml or --config PATH)."""

    name: str  # unique; becomes source_id of every row read from it
    adapter: str
    path: Path | None = None
    url: str | None = None
    api: str | None = None  # a publisher's API read page by page (etl/core/ucdp_api.py, unhcr_api.py)
    hdx: Mapping[str, Any] | None = None  # {"package", "formats", "resource"}: an HDX package's file (etl/core/ckan.py)
    organisation: str = ""
    title: str = ""
    published: str = ""
    licence: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    limits: Mapping[str, Any] = field(default_factory=dict)  # [source.limits], see etl/core/limits.py
    columns: Mapping[str, Any] = field(default_factory=dict)  # [source.columns]: field -> header (mapped tables)
    constants: Mapping[str, Any] = field(default_factory=dict)  # [source.constants]: field -> value for every row
    melt: Mapping[str, Any] = field(default_factory=dict)  # [source.melt]: a wide layout's columns to melt

    @property
    def location(self) -> str:
        if self.hdx:
            return f"HDX package {self.hdx['package']}"
        if self.api:
            return f"API {self.api}"
        return self.url or (str(self.path) if self.path else "")
