"""The hostile-input suite (hypothesis), by surface: forms, filters and search, selections,
login."""
