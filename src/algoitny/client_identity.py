"""Telling HTTP callers apart: the client address (the anonymous quota key) and the
anonymous owner token (who owns an anonymous submission).

The address is the TCP peer, unless the peer is one of ``clients.trusted_proxies``:
then ``X-Forwarded-For`` is read from the right, skipping trusted proxies, and the first
address that is not one is the client. A forwarded header from anyone else is ignored,
so a caller cannot pick its own quota key.

Anonymous submissions are owned by an unguessable token (``secrets.token_urlsafe``)
handed out at the first submit (in the 202 body and an HttpOnly cookie) and sent back in
``X-Anonymous-Token`` or the cookie. Only its SHA-256 is stored, as the owner key
``anon:{hex}``; callers behind one NAT share a quota but not a history.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import secrets
import string

from starlette.requests import HTTPConnection
from starlette.responses import Response

from algoitny.settings import ClientSettings

ANONYMOUS_HEADER = "X-Anonymous-Token"
ANONYMOUS_COOKIE = "algoitny_anonymous"
ANONYMOUS_OWNER_PREFIX = "anon:"
LEGACY_IP_OWNER_PREFIX = "ip:"  # owners of anonymous submissions made before owner tokens
TOKEN_BYTES = 32
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_TOKEN_LENGTHS = range(32, 129)
_FORWARDED_HOPS_MAX = 32  # entries of X-Forwarded-For looked at, from the right

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, settings: ClientSettings) -> str:
    """The client's address: ``peer`` unless a trusted proxy forwarded the request."""
    networks = _networks(tuple(settings.trusted_proxies))
    if not forwarded_for or not networks or not _trusted(peer, networks):
        return peer
    hops = forwarded_for.rsplit(",", _FORWARDED_HOPS_MAX)[-_FORWARDED_HOPS_MAX:]
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break  # garbage before this point was written by the client: stop believing
        if not any(parsed in network for network in networks):
            return str(parsed)
    return peer


def request_address(connection: HTTPConnection, settings: ClientSettings) -> str:
    peer = connection.client.host if connection.client else "unknown"
    # Several header lines mean one comma-joined list; the client's own line comes first.
    forwarded = ",".join(connection.headers.getlist("x-forwarded-for")) or None
    return client_address(peer, forwarded, settings)


def new_anonymous_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def presented_token(connection: HTTPConnection) -> str | None:
    """The anonymous token the caller sent (header first, then cookie), if well-formed."""
    token = connection.headers.get(ANONYMOUS_HEADER) or connection.cookies.get(ANONYMOUS_COOKIE)
    if token is None or len(token) not in _TOKEN_LENGTHS or not set(token) <= _TOKEN_CHARS:
        return None
    return token


def anonymous_owner(token: str) -> str:
    """The owner key stored for a token: its hash, never the token itself."""
    return ANONYMOUS_OWNER_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def is_anonymous_owner(owner: str) -> bool:
    return owner.startswith((ANONYMOUS_OWNER_PREFIX, LEGACY_IP_OWNER_PREFIX))


def remember_anonymous_token(response: Response, token: str, settings: ClientSettings) -> None:
    """Sets the HttpOnly cookie that carries the token on later requests from a browser."""
    response.set_cookie(
        ANONYMOUS_COOKIE,
        token,
        max_age=settings.anonymous_cookie_max_age_s,
        httponly=True,
        secure=settings.anonymous_cookie_secure,
        samesite="lax",
        path="/",
    )
