"""Regenerate the golden warehouse (tests/golden/warehouse/) after a deliberate change:

    python -m tests.golden.update        (or: make golden)

Runs the ETL on the committed data (data/sources.toml) into a temporary folder, exactly as the
`built_warehouse` fixture does, and writes its snapshot. Review `git diff tests/golden/` before
committing it.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from etl import pipeline
from etl.config import Settings
from etl.core.warehouse import open_live
from tests.golden.snapshot import snapshot
from tests.golden.store import GOLDEN, write


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="golden-warehouse-") as tmp:
        pipeline.run(Settings(warehouse_dir=Path(tmp), keep_versions=1))
        manifest, texts = snapshot(open_live(Path(tmp)))
        written = write(GOLDEN, manifest, texts)
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({size / 1024:.0f} KiB) under {GOLDEN}; review `git diff tests/golden/`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
