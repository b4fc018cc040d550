"""The one timed cache (admin/core/timed_cache.py): a value for its time to live, the least
recently stored dropped past the capacity."""

import pytest

from admin_app.admin.core.timed_cache import TimedCache


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    clock = [1000.0]
    monkeypatch.setattr("admin_app.admin.core.timed_cache.time.monotonic", lambda: clock[0])
    return clock


def test_a_value_is_kept_for_its_time_to_live_with_its_age(now: list[float]) -> None:
    cache: TimedCache[str, int] = TimedCache(ttl_seconds=60)
    cache.put("events", 42)
    now[0] += 59
    kept = cache.get("events")
    assert kept is not None and (kept.value, kept.age_seconds) == (42, 59)
    now[0] += 2
    assert cache.get("events") is None


def test_past_its_capacity_the_least_recently_stored_goes(now: list[float]) -> None:
    cache: TimedCache[str, int] = TimedCache(ttl_seconds=60, capacity=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)  # stored again: now the newest
    cache.put("c", 4)
    assert cache.get("b") is None
    assert [cache.get(key).value for key in ("a", "c")] == [3, 4]  # type: ignore[union-attr]


def test_clear_forgets_everything(now: list[float]) -> None:
    cache: TimedCache[str, int] = TimedCache(ttl_seconds=60)
    cache.put("a", 1)
    cache.clear()
    assert cache.get("a") is None
