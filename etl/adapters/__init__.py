"""Source adapters: one module per source format, each reading the real published layout.

Every adapter module exposes:

    TABLES: tuple[str, ...]        the canonical tables it can fill
    def read(spec: SourceSpec, path: Path, issues: Issues) -> dict[str, DataFrame]

See etl/adapters/base.py for the rules every adapter keeps.
"""
