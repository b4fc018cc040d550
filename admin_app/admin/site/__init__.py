"""The Admin app itself: the panel and its routes, the login pages, the command palette and
global search, the dashboard, and what each role may do."""
