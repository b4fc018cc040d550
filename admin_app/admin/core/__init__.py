"""What every room of the panel uses and that imports no other room: ids, errors, literal text
search, strict input, formatters, wording and the synchronous partials."""
