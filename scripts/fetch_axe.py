"""axe-core for the accessibility tests, from the npm registry (no node needed): the pinned tarball
is downloaded once, checked against npm's sha512 integrity, and axe.min.js kept in .cache/.

    python scripts/fetch_axe.py      # prints the path of axe.min.js
"""
from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.11.0"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-ilYanEU8vxxBexpJd8cWM4ElSQq4QctCLKih0TSfjIfCQTeyH/6zVrmIJfLPrKTKJRbiG+cfnZbQIjAlJmF1jQ=="
ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / ".cache" / f"axe-core-{VERSION}" / "axe.min.js"


def fetch() -> Path:
    if TARGET.exists():
        return TARGET
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        raise SystemExit(f"axe-core {VERSION}: integrity mismatch ({digest} != {INTEGRITY})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        script = tar.extractfile("package/axe.min.js").read()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    tmp = TARGET.with_suffix(".part")
    tmp.write_bytes(script)
    tmp.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(fetch())
    sys.exit(0)
