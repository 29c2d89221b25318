"""Our JWTs (PyJWT, HS256): short-lived access tokens and long-lived refresh tokens.

The header carries ``kid`` so keys rotate: every key in ``signing_keys``
verifies, the ``active_key`` signs. Claims: ``sub`` is the stable user id
(never an email), ``fam`` the refresh family (revoked on logout or reuse),
``typ`` access/refresh, ``aud`` distinguishes the two so one cannot stand in
for the other. Only HS256 is accepted (``alg: none`` and others are refused).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import jwt

from algoitny.errors import InvalidToken
from algoitny.settings import AuthSettings

ALGORITHM = "HS256"
ACCESS_AUDIENCE = "algoitny-api"
REFRESH_AUDIENCE = "algoitny-refresh"


@dataclass(frozen=True)
class Claims:
    user_id: str
    family_id: str
    token_id: str
    expires_at: int


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: int
    refresh_expires_at: int
    refresh_id: str


def new_family_id() -> str:
    return secrets.token_hex(12)


class TokenService:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._keys = {kid: secret.get_secret_value() for kid, secret in settings.signing_keys.items()}
        if settings.active_key not in self._keys:
            raise ValueError(f"auth.active_key {settings.active_key!r} is not in auth.signing_keys")

    def _sign(self, claims: dict, audience: str) -> str:
        return jwt.encode(
            claims | {"aud": audience, "iss": self.settings.issuer},
            self._keys[self.settings.active_key],
            algorithm=ALGORITHM,
            headers={"kid": self.settings.active_key},
        )

    def issue(self, user_id: str, family_id: str) -> TokenPair:
        now = int(time.time())
        access_exp, refresh_exp = now + self.settings.access_ttl_s, now + self.settings.refresh_ttl_s
        refresh_id = secrets.token_hex(12)
        common = {"sub": user_id, "fam": family_id, "iat": now}
        access = self._sign(
            common | {"typ": "access", "jti": secrets.token_hex(8), "exp": access_exp}, ACCESS_AUDIENCE
        )
        refresh = self._sign(
            common | {"typ": "refresh", "jti": refresh_id, "exp": refresh_exp}, REFRESH_AUDIENCE
        )
        return TokenPair(access, refresh, access_exp, refresh_exp, refresh_id)

    def verify(self, token: str, *, refresh: bool = False) -> Claims:
        """Signature (by ``kid``), algorithm, audience, issuer and expiry, or ``InvalidToken``."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("The token is malformed.") from exc
        key = self._keys.get(header.get("kid", ""))
        if key is None:
            raise InvalidToken("The token was signed with an unknown key.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=REFRESH_AUDIENCE if refresh else ACCESS_AUDIENCE,
                issuer=self.settings.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("The token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidToken("The token is not meant for this use.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"The token is not valid: {exc}.") from exc
        if claims.get("typ") != ("refresh" if refresh else "access") or not claims.get("fam"):
            raise InvalidToken("The token is of the wrong kind.")
        return Claims(claims["sub"], claims["fam"], claims["jti"], claims["exp"])
