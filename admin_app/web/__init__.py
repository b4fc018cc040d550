"""The HTTP shell around the panel: login sessions, CSRF and origin checks, headers, Host and
method rules, request limits, outage pages, health, redirects, form bodies, request sessions."""
