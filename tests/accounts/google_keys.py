"""A stand-in for Google's key server: our own RSA keys as a JWKS on loopback,
and ID tokens signed with them (or deliberately wrong)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "algoitny-test.apps.googleusercontent.com"
ISSUER = "https://accounts.google.com"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class GoogleKeys:
    url: str = ""
    keys: dict = field(default_factory=dict)  # kid -> private key
    fetches: int = 0

    def jwks(self) -> dict:
        found = []
        for kid, key in self.keys.items():
            public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            found.append(public | {"kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": found}

    def id_token(
        self,
        *,
        sub: str = "g-1",
        email: str = "ann@example.com",
        kid: str | None = None,
        key=None,
        aud: str = CLIENT_ID,
        iss: str = ISSUER,
        expires_in: int = 3600,
        email_verified: bool = True,
    ) -> str:
        kid = kid or next(iter(self.keys))
        now = int(time.time())
        claims = {
            "sub": sub,
            "email": email,
            "email_verified": email_verified,
            "name": "Ann",
            "aud": aud,
            "iss": iss,
            "iat": now,
            "exp": now + expires_in,
        }
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


async def serve(keys: GoogleKeys):
    async def certs(request: web.Request) -> web.Response:
        keys.fetches += 1
        return web.json_response(keys.jwks())

    app = web.Application()
    app.router.add_get("/oauth2/v3/certs", certs)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    keys.url = f"http://127.0.0.1:{port}/oauth2/v3/certs"
    return runner
