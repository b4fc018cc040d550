"""At the door: what a request must be before any view sees it (Host, method, query string,
CSRF and origin, where a login may send it next) and the headers every answer carries."""
