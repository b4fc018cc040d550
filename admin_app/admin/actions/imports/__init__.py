"""Taking data in: a CSV or XLSX file of users or events, mapped to fields, checked by a dry run
in a staging table with the forms' own rules, and committed as a background job in chunks, as
one change set that Undo takes back whole (docs/IMPORTS.md).

One module a step: `reading` (a file a row at a time, hostile files refused), `upload` (the
file kept in the database and made an import), `fields` (what each
column may fill, by the forms' rules), `staged` (a staged row and the plan), `matching` (each
row's match and verdict, a batch at a time), `checking` (the dry run), `committing` (Confirm,
chunk by chunk), `chunk` (one chunk's writes), `jobs` (both as background jobs), `findings`
(what the page shows of a dry run), `actions` (the page's buttons), `pages` (the routes)."""
