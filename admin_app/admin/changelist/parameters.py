"""Which query parameters a list URL carries, and what each is: the one table every reader of a
list's state asks (the count and facets, the selection, saved views, facet links, the page's
script, which reads it from the page). Any name not in it is a filter, which the list's filters
validate (a 400 for one they do not know)."""

from enum import Enum


class Part(Enum):
    SEARCH = "search"
    SORT = "sort"
    PAGE = "page"  # where in the rows the page is
    LAYOUT = "layout"  # how the rows are shown: page size, columns
    COUNT = "count"  # count every row instead of up to the cap
    SELECTION = "selection"  # ticked ids, or all matching except a few
    SAVED_VIEW = "saved view"  # which saved view the list was opened as
    ACTION_INPUT = "action input"  # what a bulk page's form adds (status, reason, ...)
    LURE = "lure"  # SQLAdmin's `?error=` text: dropped, never shown


PARAMETERS: dict[str, Part] = {
    "search": Part.SEARCH,
    "sortBy": Part.SORT,
    "sort": Part.SORT,
    "page": Part.PAGE,
    "pageSize": Part.LAYOUT,
    "columns": Part.LAYOUT,
    "recount": Part.COUNT,
    "pks": Part.SELECTION,
    "scope": Part.SELECTION,
    "except": Part.SELECTION,
    "view": Part.SAVED_VIEW,
    "error": Part.LURE,
    **dict.fromkeys(
        (
            "csrf_token",
            "idempotency_key",
            "reason",
            "status",
            "cascade",
            "new_status",
            "date_change",
            "new_date",
            "shift_days",
            "new_organizer",
        ),
        Part.ACTION_INPUT,
    ),
}


def named(*parts: Part) -> frozenset[str]:
    """The parameters that are one of `parts`."""
    return frozenset(name for name, part in PARAMETERS.items() if part in parts)


# What the rows matching a list depend on: its filters and these (a count's, a facet's, an
# export's and a whole-filter selection's state).
MATCHING = named(Part.SEARCH, Part.SORT)
# Everything else a list URL may carry.
NOT_FILTERS = frozenset(PARAMETERS) - MATCHING
# A facet's link starts a new list of rows from the same state.
LEFT_BY_FACET_LINKS = named(Part.PAGE, Part.SELECTION, Part.SAVED_VIEW)
# What a saved view keeps besides the filters.
KEPT_BY_SAVED_VIEWS = named(Part.SEARCH, Part.SORT, Part.LAYOUT)
# What the page's links to bulk pages leave out of the list's address (the script's, read from
# the page): the bulk page applies to the rows matching, whatever page or layout shows them.
LEFT_BY_BULK_LINKS = named(Part.PAGE, Part.LAYOUT, Part.LURE)
# Dropped from a list address before anything reads it.
LURES = named(Part.LURE)
