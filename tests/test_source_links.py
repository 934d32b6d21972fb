"""Local file paths never leave the server: a source read from disk without a `link` is published
with no url, and the page's source lists, the export source lines and a data export's sources
sheet show its title and "no public link" (in the page's language) instead of a path. A warehouse
built before this rule (its url a local path) is shown the same way."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder

from etl import pipeline, sources
from etl.config import DATA_DIR, ROOT, Settings
from etl.core.issues import SourceError
from etl.core.warehouse import open_live

FIXTURE = Path(__file__).parent / "fixtures" / "hxl" / "synthetic_idleb_idps_hxl.csv"
TITLE = "IDPs by sub-district, a local sheet"
VIEW = "from=2020-01&to=2020-03"
NO_LINK = {"en": "no public link", "ar": "لا يوجد رابط عام"}


def user_sources(folder: Path) -> Path:
    """A sources file extending the default with a local HXL file that has an organisation and a
    title but no link (as an analyst adds a sheet from their own disk)."""
    shutil.copy(FIXTURE, folder / "idps.csv")
    config = folder / "my-sources.toml"
    config.write_text(f'extends_default = true\n\n[[source]]\nname = "local-idps"\nadapter = "hxl"\n'
                      f'path = "idps.csv"\norganisation = "Local NGO"\ntitle = "{TITLE}"\npublished = "2020-03"\n',
                      encoding="utf-8")
    return config


def forbidden(folder: Path) -> tuple[str, ...]:
    """What a local path looks like: the source's folder, the project's data folder, file:// URLs."""
    return (str(folder), str(DATA_DIR), str(ROOT), "/work/", "/tmp/", "file://", "idps.csv")


def build(folder: Path) -> Path:
    root = folder / "wh"
    pipeline.run(Settings(warehouse_dir=root, keep_versions=2), user_sources(folder))
    return root


@pytest.fixture(scope="module")
def linkless(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("linkless")
    return folder, build(folder)


@pytest.fixture(scope="module")
def built_by_old_etl(tmp_path_factory) -> tuple[Path, Path]:
    """A warehouse whose sources table holds the local path as the url, as the ETL published it
    before (the sources table's url was `link or url or location`)."""
    folder = tmp_path_factory.mktemp("old-etl")
    real = pipeline.citation

    def old_citation(spec):
        row = real(spec)
        if row is not None:
            row["url"] = spec.options.get("link") or spec.url or spec.location
        return row

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "citation", old_citation)
        root = build(folder)
    published = open_live(root).read("sources").set_index("source_id")
    assert published.loc["local-idps", "url"] == str(folder / "idps.csv")  # the path, as the old ETL wrote it
    return folder, root


def page_sources_text(root: Path, lang: str) -> str:
    """Every source list of the page (the map's and each chart's), as the page receives them."""
    from dashboard import panels
    from dashboard.data.warehouse import warehouse
    from dashboard.page.parts import page_parts
    from dashboard.request import Request

    parts = page_parts(Request.from_query(warehouse(root), f"?{VIEW}&lang={lang}"))
    lists = [parts["map_sources"]] + [parts[f"{panel.name}_sources"] for panel in panels.charts()]
    sent = json.loads(json.dumps(lists, cls=PlotlyJSONEncoder, ensure_ascii=False))

    # a list's lines travel as data (data-sources) and the browser writes each as its text and, when
    # it has one, a link (assets/a11y.js): the lines here as the page shows them
    def lines(value):
        if isinstance(value, dict):
            props = value.get("props") if "namespace" in value else None
            if props and props.get("data-sources"):
                yield from ({"text": f"{i[0]}{i[1]}{i[3]}", **({"href": i[2]} if i[2] else {})}
                            for i in json.loads(props["data-sources"]))
            for v in value.values():
                yield from lines(v)
        elif isinstance(value, list):
            for v in value:
                yield from lines(v)
    return json.dumps([sent, list(lines(sent))], ensure_ascii=False)


def export_files(root: Path, lang: str) -> tuple[str, list[list]]:
    """The displacement chart's export source lines and its data export's sources sheet."""
    from dashboard.data.warehouse import warehouse
    from dashboard.export import context, files
    from dashboard.request import Request

    wh = warehouse(root)
    ctx = files.context_of(Request.of(wh, Request.from_query(wh, f"?{VIEW}").state, lang))
    lines = "\n".join(context.source_lines(wh, ["local-idps", "unhcr-flash-2018-08-09"], ctx.t))
    book = openpyxl.load_workbook(io.BytesIO(files.chart_data("displacement", ctx, "xlsx")))
    sheet = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    return lines, sheet


def test_a_source_read_from_disk_without_a_link_is_published_without_a_url(linkless):
    folder, root = linkless
    published = open_live(root).read("sources").set_index("source_id")
    assert pd.isna(published.loc["local-idps", "url"]) and published.loc["local-idps", "title"] == TITLE
    text = published.astype(str).to_csv()
    assert not [p for p in forbidden(folder) if p in text]
    linked = published["url"].dropna()
    assert len(linked) == len(published) - 1 and linked.str.match(r"https?://").all()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("which", ["linkless", "built_by_old_etl"])
def test_the_page_shows_the_title_and_no_public_link_and_never_a_path(which, lang, request):
    folder, root = request.getfixturevalue(which)
    text = page_sources_text(root, lang)
    assert f"{TITLE} ({NO_LINK[lang]})" in text
    assert not [p for p in forbidden(folder) if p in text]
    assert '"href": "https://' in text  # sources with a link keep it


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("which", ["linkless", "built_by_old_etl"])
def test_export_source_lines_and_the_sources_sheet_never_hold_a_path(which, lang, request):
    folder, root = request.getfixturevalue(which)
    lines, sheet = export_files(root, lang)
    # "Title (no public link), published …", as the page writes it (the link kind goes where the link would)
    assert f"{TITLE} ({NO_LINK[lang]})" in lines and "https://reliefweb.int/" in lines
    header, *rows = sheet
    row = next(r for r in rows if r[0] == "local-idps")
    assert row[header.index("title")] == TITLE and row[header.index("url")] == NO_LINK[lang]
    cells = json.dumps(sheet, ensure_ascii=False, default=str)
    assert not [p for p in forbidden(folder) if p in lines + cells]


def test_a_link_that_is_not_a_web_address_is_refused_with_the_entry_named(tmp_path):
    config = tmp_path / "sources.toml"
    for link in ("/home/me/acled.csv", "file:///home/me/acled.csv", "C:\\data\\acled.csv"):
        config.write_text(f'[[source]]\nname = "x"\nadapter = "acled"\npath = "a"\nlink = {json.dumps(link)}\n',
                          encoding="utf-8")
        with pytest.raises(SourceError, match=r"expected link as an http\(s\) URL") as err:
            sources.load(config)
        assert str(config) in str(err.value)
