"""Load, fault and hostile-scan harnesses on the real server; CI runs their short forms after
the tests (docs/RELIABILITY.md, docs/SECURITY.md)."""
