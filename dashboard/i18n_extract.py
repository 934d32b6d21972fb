"""Babel extraction for the dashboard (babel.cfg): Babel's own Python extractor, plus the messages
inside f-strings, which Python 3.11's tokenizer hands to Babel as one opaque string:
f"{t('Source')}: {org}" holds the message "Source"."""
from __future__ import annotations

import re

from babel.messages.extract import extract_python

IN_FSTRING = re.compile(r"""\b(t|N_)\((?P<q>['"])(?P<msg>(?:(?!(?P=q)).)+)(?P=q)\)""")


def extract(fileobj, keywords, comment_tags, options):
    source = fileobj.read()
    fileobj.seek(0)
    seen = set()
    for lineno, funcname, message, comments in extract_python(fileobj, keywords, comment_tags, options):
        seen.add(message)
        yield lineno, funcname, message, comments
    text = source.decode(options.get("encoding", "utf-8")) if isinstance(source, bytes) else source
    for number, line in enumerate(text.splitlines(), start=1):
        for match in IN_FSTRING.finditer(line):
            message = match.group("msg")
            if message not in seen:
                seen.add(message)
                yield number, match.group(1), message, []
