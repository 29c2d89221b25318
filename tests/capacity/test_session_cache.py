"""Sessions and users cached per process (auth/session_cache.py); ``api --workers N``."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import pytest

from algoitny import cli
from algoitny.localstack import ChildProcess, free_port, wait_listening
from algoitny.settings import get_settings
from algoitny.table import TokenRepository
from tests.conftest import app_client


async def signed_in(api: httpx.AsyncClient) -> dict:
    response = await api.post("/api/auth/dev/", json={"email": "cached@example.com"})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def family_of(api_app_tokens: dict) -> str:
    import jwt

    return jwt.decode(api_app_tokens["access_token"], options={"verify_signature": False})["fam"]


@pytest.mark.parametrize("ttl_s", [5.0, 0.0])
async def test_a_sign_out_elsewhere_applies_within_the_cache_time(settings, table, ttl_s):
    settings.auth = settings.auth.model_copy(update={"dev_login": True, "session_cache_s": ttl_s})
    async with app_client(settings) as api:
        tokens = await signed_in(api)
        assert (await api.get("/api/account/me", headers=bearer(tokens))).status_code == 200
        await TokenRepository(table).revoke(family_of(tokens))  # "another process" signs out
        after = await api.get("/api/account/me", headers=bearer(tokens))
        assert after.status_code == (200 if ttl_s else 401)


async def test_this_processes_sign_out_and_plan_change_apply_at_once(settings, admin):
    settings.auth = settings.auth.model_copy(update={"dev_login": True})
    async with app_client(settings) as api:
        tokens = await signed_in(api)
        me = await api.get("/api/account/me", headers=bearer(tokens))
        assert me.json()["plan"] == "free"
        moved = await api.put(
            f"/api/admin/users/{me.json()['user_id']}/plan", json={"plan": "pro"}, headers=admin
        )
        assert moved.status_code == 200, moved.text
        assert (await api.get("/api/account/me", headers=bearer(tokens))).json()["plan"] == "pro"
        out = await api.post("/api/auth/logout/", json={"refresh_token": tokens["refresh_token"]})
        assert out.status_code == 204
        assert (await api.get("/api/account/me", headers=bearer(tokens))).status_code == 401


def test_several_api_processes_need_shared_secrets(monkeypatch, capsys):
    for name in list(os.environ):
        if name.startswith(("ALGOITNY_AUTH__", "ALGOITNY_CURSOR_SECRET")):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    try:
        assert cli.main(["api", "--workers", "2"]) == 2
    finally:
        get_settings.cache_clear()
    message = capsys.readouterr().err
    assert "ALGOITNY_AUTH__SIGNING_KEYS" in message and "ALGOITNY_CURSOR_SECRET" in message


async def test_several_api_processes_serve_with_shared_secrets(settings, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "ALGOITNY_TABLE__NAME": settings.table.name,
        "ALGOITNY_TABLE__ENDPOINT_URL": settings.table.endpoint_url or "",
        "ALGOITNY_REDIS__URL": settings.redis.url,
        "ALGOITNY_AUTH__SIGNING_KEYS": '{"k": "shared-signing-key-0123456789abcdef"}',
        "ALGOITNY_AUTH__ACTIVE_KEY": "k",
        "ALGOITNY_AUTH__DEV_LOGIN": "true",
        "ALGOITNY_CURSOR_SECRET": "shared-cursor-secret",
    }
    argv = [sys.executable, "-m", "algoitny.cli", "api", "--port", str(port), "--workers", "2"]
    child = await ChildProcess.start("api", argv, log_path=tmp_path / "api.log", env=env)
    try:
        await wait_listening(child, port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
            tokens = await signed_in(api)
            # New connections land on either process: each verifies the other's tokens.
            clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for _ in range(8)]
            try:
                me = [client.get("/api/account/me", headers=bearer(tokens)) for client in clients]
                answers = await asyncio.gather(*me)
            finally:
                await asyncio.gather(*(client.aclose() for client in clients))
            assert [a.status_code for a in answers] == [200] * 8, child.log_tail()
        log = await asyncio.to_thread(child.log_tail, 50)
        assert log.count("Started server process") == 2, log
    finally:
        await child.stop()
