from __future__ import annotations

import pytest
from pydantic import SecretStr

from tests.accounts.google_keys import CLIENT_ID, GoogleKeys, new_key, serve
from tests.conftest import app_client

ADMIN_EMAIL = "boss@example.com"


@pytest.fixture
async def google_keys():
    keys = GoogleKeys(keys={"k1": new_key()})
    runner = await serve(keys)
    yield keys
    await runner.cleanup()


@pytest.fixture
async def auth_api(settings, google_keys, announced_worker):
    """The app with Google sign-in pointed at the loopback key server, dev sign-in on,
    and two signing keys (k-old verifies only, k-new signs); a worker is announced, so
    submissions are accepted."""
    settings.auth = settings.auth.model_copy(
        update={
            "google_client_ids": [CLIENT_ID],
            "google_certs_url": google_keys.url,
            "dev_login": True,
            "admin_emails": [ADMIN_EMAIL],
            "signing_keys": {
                "k-old": SecretStr("old-secret-" + "x" * 32),
                "k-new": SecretStr("new-secret-" + "y" * 32),
            },
            "active_key": "k-new",
        }
    )
    async with app_client(settings) as client:
        yield client


async def sign_in(client, email: str) -> dict:
    response = await client.post("/api/auth/dev/", json={"email": email})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
