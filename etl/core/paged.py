"""An API's records, page by page, written as one CSV for the adapter that reads the publisher's
file download (etl/core/ucdp_api.py, etl/core/unhcr_api.py). Every record must have the fields of
the first, in the same order: an answer that changed shape mid-way stops with the field named."""
from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from etl.core.issues import SourceError


def read_json(path: Path, where: str, what: str) -> dict:
    """A page of an API's answer: a JSON object, or a SourceError saying what was expected."""
    try:
        page = json.loads(Path(path).read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(where, f"expected {what} as JSON: {exc}") from None
    if not isinstance(page, dict):
        raise SourceError(where, f"expected {what}: a JSON object")
    return page


def records(page: dict, field: str, where: str) -> list[dict]:
    """The page's list of records in `field`, each an object, or a SourceError naming the field."""
    found = page.get(field)
    if not isinstance(found, list):
        raise SourceError(where, f"expected field '{field}' to be a list of records (the API's answer has changed?)")
    for i, record in enumerate(found):
        if not isinstance(record, dict):
            raise SourceError(where, f"expected field '{field}[{i}]' to be a record (an object)")
    return found


def write_csv(pages: Iterable[tuple[str, str, list[dict]]], folder: Path) -> tuple[Path, int]:
    """Write the records of `pages` ((where, field, records), in order) to one CSV in `folder`:
    (its path, named by its content, and the number of records). Older assembled files there go."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"assembled.{os.getpid()}.csv.part"
    columns: list[str] | None = None
    count = 0
    try:
        with open(part, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for where, field, batch in pages:
                for i, record in enumerate(batch):
                    if columns is None:
                        columns = list(record)
                        writer.writerow(columns)
                    elif list(record) != columns:
                        changed = sorted(set(record) ^ set(columns)) or ["(their order)"]
                        raise SourceError(where, f"field '{field}[{i}]' has other fields than the first record: "
                                                 f"{', '.join(changed)}")
                    writer.writerow(["" if v is None else v for v in record.values()])
                count += len(batch)
        digest = hashlib.sha256(part.read_bytes()).hexdigest()
        path = folder / f"assembled-{digest[:16]}.csv"
        os.replace(part, path)
        for older in folder.glob("assembled-*.csv"):
            if older != path:
                older.unlink(missing_ok=True)
        return path, count
    finally:
        part.unlink(missing_ok=True)
