"""Taking data in: a CSV or XLSX file of users or events, mapped to fields, checked by a dry run
in a staging table with the forms' own rules, and committed as a background job in chunks, as
one change set that Undo takes back whole (docs/IMPORTS.md)."""
