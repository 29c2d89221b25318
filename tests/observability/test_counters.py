"""Counters the services keep: quota rejections by action, sign-ins by outcome; the run URLs."""

from __future__ import annotations

import pytest

from algoitny.domain import Caller, Role
from algoitny.errors import RateLimited
from algoitny.local_run import metrics_urls
from algoitny.services import quota
from algoitny.settings import QuotaSettings, Settings
from tests.conftest import app_client
from tests.observability.helpers import sample


async def test_a_quota_refusal_is_counted_by_action(usage):
    caller = Caller(role=Role.ANONYMOUS, subject="ip:203.0.113.9")
    limits = QuotaSettings(anonymous_hints=1)
    before = sample("algoitny_quota_rejections_total", action=quota.HINT)
    await quota.consume(usage, caller, quota.HINT, limits)
    assert sample("algoitny_quota_rejections_total", action=quota.HINT) == before
    with pytest.raises(RateLimited):
        await quota.consume(usage, caller, quota.HINT, limits)
    assert sample("algoitny_quota_rejections_total", action=quota.HINT) == before + 1


async def test_sign_ins_are_counted_by_method_and_outcome(settings: Settings):
    dev = settings.model_copy(update={"auth": settings.auth.model_copy(update={"dev_login": True})})
    ok_before = sample("algoitny_sign_ins_total", method="dev", outcome="ok")
    refused_before = sample("algoitny_sign_ins_total", method="google", outcome="sign_in_disabled")
    async with app_client(dev) as api:
        assert (await api.post("/api/auth/dev/", json={"email": "counted@example.com"})).status_code == 200
        # Google sign-in is off without client ids: refused, and counted with the error's code.
        refused = await api.post("/api/auth/google/", json={"id_token": "x" * 40})
    assert sample("algoitny_sign_ins_total", method="dev", outcome="ok") == ok_before + 1
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "sign_in_disabled"
    assert (
        sample("algoitny_sign_ins_total", method="google", outcome="sign_in_disabled") == refused_before + 1
    )


def test_algoitny_run_metrics_urls_are_the_api_port_and_the_worker_port():
    assert metrics_urls("127.0.0.1", 9000) == (
        "http://127.0.0.1:9000/metrics",
        "http://127.0.0.1:9003/metrics",
    )
