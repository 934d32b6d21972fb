"""Which parts of the map a control changes, and what the page keeps between two updates of it.

The map is sent whole only with a new admin level; any other change sends a dash `Patch` with the
values of the parts it affects (an event-type filter sends the events; a step of the time slider
sends values, never geometry). While the slider plays, the classes of the areas made for the whole
range are kept in a store on the page and reused, so that they do not change from step to step.
"""
from __future__ import annotations

from dashboard.data import indicators
from dashboard.data.state import ViewState
from dashboard.figures.classes import Classes

# Which parts of the map each control changes (the admin level redraws everything).
PART_TRIGGERS = {
    "home-range": {"areas", "events", "flows", "border", "title"},
    "home-step": {"areas", "events", "flows", "border", "title"},
    "home-step-unit": {"areas", "events", "flows", "border", "title"},
    "home-indicator": {"areas", "title"},
    "home-per10k": {"areas", "title"},
    "home-sources": {"areas", "events", "flows", "border"},
    "home-etypes": {"events"},  # and the areas when the indicator counts events
    "home-areas": {"outline", "flows", "frame", "scalebar"},  # selected areas are framed (unless the user zoomed)
    "home-layers": {"layers", "events", "flows"},
    "home-topn": {"flows"},
    "home-frame": {"frame", "scalebar"},  # "reset view": the frame of the selection, or the default one
}
ALL_PARTS = frozenset({"areas", "outline", "layers", "events", "flows", "border", "title", "frame", "scalebar"})
FRAME_PARTS = frozenset({"frame", "scalebar"})  # computed for each request, never cached
NOTE_PARTS = ("areas", "events", "flows", "border")  # each has its own note under the map
SOURCE_PARTS = ("layers", "areas", "events", "flows")  # what the map's source list is made of


def parts_for(changed, state: ViewState) -> frozenset:
    """The map parts to recompute when the controls `changed` (a set of ids) changed."""
    if not changed or "home-level" in changed:
        return ALL_PARTS
    if changed == {"home-frame"} and state.frame:
        return frozenset({"scalebar"})  # the user's pan or zoom: the map shows it already, its scale bar follows
    parts: set[str] = set()
    for control in changed:
        parts |= PART_TRIGGERS.get(control, set())
    if "home-etypes" in changed and state.indicator in indicators.INDICATORS \
            and indicators.INDICATORS[state.indicator].kind in indicators.EVENT_KINDS:
        parts.add("areas")
    return frozenset(parts)


def classes_to_store(classes) -> dict | None:
    return None if classes is None else {"bins": list(classes.bins), "labels": list(classes.labels),
                                         "colors": list(classes.colors), "decimals": classes.decimals}


def classes_from_store(data) -> Classes | None:
    if not data:
        return None
    return Classes(tuple(data["bins"]), tuple(data["labels"]), tuple(data["colors"]), int(data["decimals"]))


def source_ids(part_sources: dict) -> list[str]:
    """Sources of what the map draws, from the sources of each of its parts."""
    return sorted({i for part in SOURCE_PARTS for i in part_sources.get(part, [])})


def all_notes(part_notes: dict) -> list[str]:
    """The notes of every part, in the order they are shown under the map."""
    return [n for part in NOTE_PARTS for n in part_notes.get(part, [])]


def merged(base: dict, props: dict) -> dict:
    """A new dict: `base` with `props` set leaf by leaf (the parts not changed are shared, not
    copied: the cached base figure is never modified)."""
    out = dict(base)
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            out[key] = merged(base[key], value)
        else:
            out[key] = value
    return out
