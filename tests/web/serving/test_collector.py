"""The cycle collector is tuned once the server has started (web/serving/collector.py)."""

import gc

from fastapi import FastAPI
from fastapi.testclient import TestClient

from admin_app.web.serving import collector


def test_a_started_server_freezes_what_it_holds_and_collects_less_often(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert client.get("/health").status_code in {200, 503}
        assert gc.get_threshold() == (collector.YOUNGEST_THRESHOLD, *collector.OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0


def test_tuning_happens_once_per_process() -> None:
    collector.tune_for_serving()
    frozen = gc.get_freeze_count()
    gc.set_threshold(700, 10, 10)
    try:
        collector.tune_for_serving()
        assert gc.get_threshold() == (700, 10, 10)  # a second start changes nothing
        assert gc.get_freeze_count() == frozen
    finally:
        gc.set_threshold(collector.YOUNGEST_THRESHOLD, *collector.OLDER_THRESHOLDS)
