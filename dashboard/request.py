"""What one callback or one export asks for: a `Request`, built once, then handed to the panels.

    request = Request.from_query(wh, "?from=2020-02&to=2020-02&area=SY07")   # a URL
    request = Request.from_controls(wh, values)                           # the page's controls
    request = Request.of(wh, state, lang="ar")                            # a state already made (CLI)

A request holds the warehouse version, its bounds and the view state; the selection (the state
resolved against the warehouse: source ids, the map's window of dates), the language and its
translator follow from them. The URL's query string is parsed once, here. A request is frozen and
hashed by the warehouse version and the view state only (the rest follows from them), so caches
can be keyed on it; it belongs to no user and holds nothing that changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from dashboard import i18n
from dashboard.data import catalog
from dashboard.data.selection import Selection, selection
from dashboard.data.state import CONTROL_IDS, Bounds, ViewState, from_controls, parse_query
from dashboard.data.warehouse import Warehouse
from dashboard.i18n import Translator

# kept in every narrowed request (`only`): the date range and the admin level, the language
ALWAYS_KEPT = ("start", "end", "level", "lang")


@dataclass(frozen=True)
class Request:
    wh: Warehouse
    state: ViewState
    bounds: Bounds = field(compare=False, repr=False)

    @classmethod
    def from_query(cls, wh: Warehouse, search: str | dict | None) -> Request:
        """The view a URL's query string asks for, within what the warehouse allows."""
        bounds = catalog.bounds(wh)
        return cls(wh, parse_query(search, bounds), bounds)

    @classmethod
    def from_controls(cls, wh: Warehouse, values) -> Request:
        """The view the page's controls show (`values` in the order of state.CONTROL_IDS, or a dict)."""
        bounds = catalog.bounds(wh)
        values = values if isinstance(values, dict) else dict(zip(CONTROL_IDS, values))
        return cls(wh, from_controls(values, bounds), bounds)

    @classmethod
    def of(cls, wh: Warehouse, state: ViewState, lang: str | None = None) -> Request:
        """A request for a state already made, in `lang` (default: the state's own language)."""
        lang = i18n.language(lang or state.lang)
        return cls(wh, state if state.lang == lang else replace(state, lang=lang), catalog.bounds(wh))

    @property
    def version(self) -> str:
        return self.wh.version

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def t(self) -> Translator:
        return i18n.translator(self.state.lang)

    @property
    def sel(self) -> Selection:
        """The selection every query takes, made once per request when first asked for (a request
        answered from a cache never needs it)."""
        made = self.__dict__.get("_sel")
        if made is None:
            made = selection(self.state, self.wh["sources"])
            object.__setattr__(self, "_sel", made)  # a memo of what the fields determine: not part of the key
        return made

    def only(self, kept) -> Request:
        """This request with the view state's fields not in `kept` (nor ALWAYS_KEPT) at their
        defaults: the key of a cache whose results depend only on `kept`."""
        keep = set(ALWAYS_KEPT).union(kept)
        state = ViewState(**{f.name: getattr(self.state, f.name) for f in fields(ViewState) if f.name in keep})
        return Request(self.wh, state, self.bounds)
