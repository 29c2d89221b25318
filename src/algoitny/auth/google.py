"""Verifying Google ID tokens against Google's published keys.

PyJWT checks the RS256 signature, ``aud`` (our client ids), ``iss`` and
expiry. The keys (a JWKS) are fetched with the shared async HTTP client from
``auth.google_certs_url`` (a setting, so tests serve their own), cached for an
hour, and fetched again when a token names a key id we have not seen (Google
rotates keys).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
import jwt

from algoitny.errors import InvalidToken, ServiceUnavailable, SignInDisabled
from algoitny.settings import AuthSettings

KEYS_TTL_S = 3600


@dataclass(frozen=True)
class GoogleIdentity:
    google_id: str
    email: str
    email_verified: bool
    name: str


class GoogleVerifier:
    def __init__(self, settings: AuthSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _key(self, kid: str) -> jwt.PyJWK:
        fresh = time.monotonic() - self._fetched_at < KEYS_TTL_S
        if kid not in self._keys or not fresh:
            async with self._lock:
                if kid not in self._keys or time.monotonic() - self._fetched_at >= KEYS_TTL_S:
                    await self._fetch()
        if kid not in self._keys:
            raise InvalidToken("The Google token was signed with an unknown key.")
        return self._keys[kid]

    async def _fetch(self) -> None:
        try:
            response = await self.http.get(self.settings.google_certs_url, timeout=5)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            raise ServiceUnavailable("Google's signing keys could not be fetched.") from exc
        self._keys = {key.key_id: key for key in keys.keys if key.key_id}
        self._fetched_at = time.monotonic()

    async def verify(self, id_token: str) -> GoogleIdentity:
        if not self.settings.google_client_ids:
            raise SignInDisabled("Google sign-in is not configured (auth.google_client_ids).")
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("The Google token is malformed.") from exc
        if header.get("alg") != "RS256":
            raise InvalidToken("The Google token must be signed with RS256.")
        key = await self._key(header.get("kid", ""))
        try:
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=["RS256"],
                audience=self.settings.google_client_ids,
                issuer=self.settings.google_issuers,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("The Google token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"The Google token is not valid: {exc}.") from exc
        if not claims.get("email"):
            raise InvalidToken("The Google token carries no email.")
        return GoogleIdentity(
            google_id=str(claims["sub"]),
            email=str(claims["email"]).lower(),
            email_verified=bool(claims.get("email_verified")),
            name=str(claims.get("name", "")),
        )
