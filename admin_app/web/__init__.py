"""The HTTP shell around the panel: login sessions (auth), the host's request sessions (deps),
form bodies, health; `edge/` holds what a request must be before a view sees it (Host, method,
query string, CSRF and origin, redirects, headers), `serving/` how a process answers (requests
at once, the collector, compression, fingerprinted statics, route paths, outage pages)."""
