"""Google sign-in, our tokens, refresh rotation with reuse detection, logout."""

from __future__ import annotations

import time

import jwt
import pytest

from tests.accounts.conftest import ADMIN_EMAIL, bearer, sign_in
from tests.accounts.google_keys import new_key
from tests.conftest import app_client


async def test_google_sign_in_creates_then_finds_the_user(auth_api, google_keys):
    first = await auth_api.post("/api/auth/google/", json={"id_token": google_keys.id_token(sub="g-42")})
    assert first.status_code == 200, first.text
    user = first.json()["user"]
    assert user["email"] == "ann@example.com" and user["plan"] == "free" and user["has_google"]
    again = await auth_api.post("/api/auth/google/", json={"id_token": google_keys.id_token(sub="g-42")})
    assert again.json()["user"]["user_id"] == user["user_id"]
    me = await auth_api.get("/api/account/me", headers=bearer(again.json()))
    assert me.json()["user_id"] == user["user_id"]
    claims = jwt.decode(again.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == user["user_id"] != user["email"], "the subject is the stable id, not the email"


async def test_google_sign_in_links_an_existing_email(auth_api, google_keys):
    dev = await sign_in(auth_api, "linked@example.com")
    token = google_keys.id_token(sub="g-link", email="Linked@Example.com")
    linked = (await auth_api.post("/api/auth/google/", json={"id_token": token})).json()["user"]
    assert linked["user_id"] == dev["user"]["user_id"] and linked["has_google"]


async def test_google_keys_are_fetched_again_for_a_new_key_id(auth_api, google_keys):
    await auth_api.post("/api/auth/google/", json={"id_token": google_keys.id_token()})
    google_keys.keys["k2"] = new_key()  # Google rotated its keys
    response = await auth_api.post("/api/auth/google/", json={"id_token": google_keys.id_token(kid="k2")})
    assert response.status_code == 200 and google_keys.fetches == 2


@pytest.mark.parametrize(
    "tamper", ["wrong_audience", "wrong_issuer", "expired", "foreign_key", "unverified", "garbage", "hs256"]
)
async def test_bad_google_tokens_are_401(auth_api, google_keys, tamper):
    token = {
        "wrong_audience": lambda: google_keys.id_token(aud="someone-else.apps.googleusercontent.com"),
        "wrong_issuer": lambda: google_keys.id_token(iss="https://evil.example.com"),
        "expired": lambda: google_keys.id_token(expires_in=-60),
        "foreign_key": lambda: google_keys.id_token(key=new_key()),
        "unverified": lambda: google_keys.id_token(email_verified=False),
        "garbage": lambda: "not.a.token",
        "hs256": lambda: jwt.encode(
            {"sub": "x", "aud": "a"}, "k" * 32, algorithm="HS256", headers={"kid": "k1"}
        ),
    }[tamper]()
    response = await auth_api.post("/api/auth/google/", json={"id_token": token})
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "invalid_token"


def _forged(
    claims_update: dict, *, key: str = "new-secret-" + "y" * 32, kid: str = "k-new", algorithm: str = "HS256"
) -> str:
    now = int(time.time())
    claims = {
        "sub": "u" + "0" * 20,
        "fam": "f",
        "jti": "j",
        "typ": "access",
        "aud": "algoitny-api",
        "iss": "algoitny",
        "iat": now,
        "exp": now + 60,
    } | claims_update
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: _forged({}, kid="k-unknown"), id="unknown key"),
        pytest.param(lambda: _forged({"exp": int(time.time()) - 10}), id="expired"),
        pytest.param(lambda: _forged({"aud": "algoitny-refresh"}), id="other audience"),
        pytest.param(lambda: _forged({}, key="wrong-secret-" + "z" * 32), id="bad signature"),
        pytest.param(
            lambda: jwt.encode(
                {"sub": "u" + "0" * 20, "fam": "f"}, None, algorithm="none", headers={"kid": "k-new"}
            ),
            id="alg none",
        ),
    ],
)
async def test_bad_access_tokens_are_401(auth_api, token):
    response = await auth_api.get("/api/account/me", headers={"Authorization": f"Bearer {token()}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


async def test_refresh_rotates_and_reuse_revokes_the_family(auth_api):
    tokens = await sign_in(auth_api, "rot@example.com")
    rotated = await auth_api.post("/api/auth/refresh/", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    new = rotated.json()
    assert (await auth_api.get("/api/account/me", headers=bearer(new))).status_code == 200
    reused = await auth_api.post("/api/auth/refresh/", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "invalid_token"
    # The whole family is gone: the newest refresh token and its access token too.
    assert (
        await auth_api.post("/api/auth/refresh/", json={"refresh_token": new["refresh_token"]})
    ).status_code == 401
    assert (await auth_api.get("/api/account/me", headers=bearer(new))).status_code == 401


async def test_logout_revokes_refresh_and_access_tokens(auth_api):
    tokens = await sign_in(auth_api, "bye@example.com")
    other_session = await sign_in(auth_api, "bye@example.com")
    assert (
        await auth_api.post("/api/auth/logout/", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204
    assert (await auth_api.get("/api/account/me", headers=bearer(tokens))).status_code == 401
    assert (
        await auth_api.post("/api/auth/refresh/", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 401
    assert (await auth_api.get("/api/account/me", headers=bearer(other_session))).status_code == 200


async def test_an_access_token_is_no_refresh_token(auth_api):
    tokens = await sign_in(auth_api, "kind@example.com")
    response = await auth_api.post("/api/auth/refresh/", json={"refresh_token": tokens["access_token"]})
    assert response.status_code == 401


async def test_tokens_signed_with_a_retired_but_listed_key_still_verify(auth_api, settings):
    tokens = await sign_in(auth_api, "rotate-keys@example.com")
    assert jwt.get_unverified_header(tokens["access_token"])["kid"] == "k-new"
    settings.auth = settings.auth.model_copy(update={"active_key": "k-old"})
    async with app_client(settings) as client:
        assert (await client.get("/api/account/me", headers=bearer(tokens))).status_code == 200


async def test_admin_emails_become_admins(auth_api):
    admin = await sign_in(auth_api, ADMIN_EMAIL.upper())
    assert admin["user"]["role"] == "admin" and admin["user"]["plan"] == "admin"
    assert (await auth_api.get("/api/admin/users", headers=bearer(admin))).status_code == 200


async def test_dev_sign_in_is_off_by_default(api):
    response = await api.post("/api/auth/dev/", json={"email": "x@example.com"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "sign_in_disabled"


async def test_google_sign_in_unconfigured_is_refused(api):
    response = await api.post("/api/auth/google/", json={"id_token": "x.y.z"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "sign_in_disabled"


async def test_consents_are_timestamped(auth_api):
    tokens = await sign_in(auth_api, "consent@example.com")
    updated = await auth_api.put(
        "/api/account/consents",
        headers=bearer(tokens),
        json={"privacy": True, "terms": True, "code_ownership": True},
    )
    consents = updated.json()["consents"]
    assert all(consents[name] > 0 for name in ("privacy", "terms", "code_ownership"))
