"""/help/data: the README's sections on loading data, served by the app itself (the page works
offline, so a link to a web copy of the README would lead nowhere). The README is read from the
project's root and shown as plain HTML: headings with anchors, paragraphs, lists, code and tables
as written. Charts with nothing to draw link here (dashboard/panels/empty.py)."""
from __future__ import annotations

import html
import re
from functools import lru_cache

from etl.config import ROOT

SECTIONS = ("Adding your own data", "Sources the ETL reads", "Data sources and licences")


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def sections(markdown: str, wanted=SECTIONS) -> list[tuple[int, str, list[str]]]:
    """(level, heading, lines) of the wanted sections, with their sub-sections."""
    out, keep_level = [], None
    for line in markdown.splitlines():
        match = re.match(r"^(#{1,4}) (.+)$", line)
        if match:
            level, heading = len(match.group(1)), match.group(2).strip()
            if heading in wanted:
                keep_level = level
            elif keep_level is not None and level <= keep_level:
                keep_level = None
            if keep_level is not None:
                out.append((level, heading, []))
            continue
        if keep_level is not None and out:
            out[-1][2].append(line)
    return out


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)


def _body(lines: list[str]) -> str:
    out, para, code, items = [], [], None, []

    def flush():
        if para:
            out.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()
    for line in lines:
        if line.startswith("```"):
            if code is None:
                flush()
                code = []
            else:
                out.append(f"<pre>{html.escape(chr(10).join(code))}</pre>")
                code = None
            continue
        if code is not None:
            code.append(line)
        elif not line.strip():
            flush()
        elif line.startswith("|"):
            flush()
            out.append(f"<pre>{html.escape(line)}</pre>")
        elif re.match(r"^\s*- ", line):
            if para:
                flush()
            items.append(re.sub(r"^\s*- ", "", line))
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
        else:
            para.append(line.strip())
    flush()
    return "\n".join(out)


@lru_cache(maxsize=1)
def page() -> str:
    markdown = (ROOT / "README.md").read_text(encoding="utf-8")
    parts = [f"<h{min(level, 4)} id=\"{slug(heading)}\">{html.escape(heading)}</h{min(level, 4)}>\n{_body(lines)}"
             for level, heading, lines in sections(markdown)]
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Loading data: Idlib displacement "
            "dashboard</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main class=\"page help\">"
            "<p><a href=\"/\">← Idlib displacement dashboard</a></p><p>From the project's README.</p>"
            + "\n".join(parts) + "</main></body></html>")


def register(server) -> None:
    server.add_url_rule("/help/data", "help_data", lambda: (page(), 200, {"Content-Type": "text/html; charset=utf-8"}))
