"""Staff flows driven through a real Chromium against the running server (marker: e2e)."""
