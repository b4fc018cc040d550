"""The list page (Django's ChangeList): its query state, query, capped count, facets, columns,
saved views, selection, rows and links."""
