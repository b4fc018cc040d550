"""Edit-page parts: field filters and validators, the relationship pickers, lost-update
versioning, a user's inline events, and what a re-shown form learns from a refused save."""
