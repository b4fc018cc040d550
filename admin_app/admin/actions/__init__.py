"""What acts on a list's selection: confirmation, delete, batch edit, cells, export (streamed or
as a job), large writes as jobs, and imports (a room of its own)."""
