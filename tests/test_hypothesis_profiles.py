"""The hypothesis profiles of tests/conftest.py, and property tests that follow them."""
from __future__ import annotations

import re

from hypothesis import settings

from etl.config import ROOT


def test_the_profiles():
    ci, deep = settings.get_profile("ci"), settings.get_profile("deep")
    assert ci.max_examples == 200 and ci.derandomize and ci.database is None
    assert deep.max_examples >= 1000 and not deep.derandomize
    assert "--hypothesis-profile=ci" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--hypothesis-profile=deep" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_no_property_test_fixes_its_number_of_examples():
    fixed = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "tests").rglob("*.py")) if path.name != "conftest.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if re.search(r"max_examples\s*=\s*\d", line)]
    assert not fixed, "property tests follow the profile (tests/conftest.py); found max_examples at " + ", ".join(fixed)
