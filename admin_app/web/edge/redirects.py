"""Where a login may send the browser next: only back into this admin, never off-site."""

ADMIN_PREFIX = "/admin"


def safe_next_path(target: str | None) -> str | None:
    """`target` when it is a same-site admin path, else None (so the index is used)."""
    if not target or len(target) > 2048:
        return None
    if not target.startswith(ADMIN_PREFIX + "/") and target != ADMIN_PREFIX:
        return None
    # Browsers read "\" as "/" and drop control characters: "/\evil.example" is off-site.
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    if target.startswith(ADMIN_PREFIX + "/login") or target.startswith(ADMIN_PREFIX + "/logout"):
        return None
    return target
