"""Signing in (Google, or an email in development), refreshing, signing out."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from algoitny.auth.tokens import TokenPair
from algoitny.deps import ResourcesDep
from algoitny.errors import SignInDisabled
from algoitny.routes.responses import errors
from algoitny.schemas.accounts import (
    AuthConfigRead,
    DevSignIn,
    GoogleSignIn,
    RefreshRequest,
    SignedIn,
    TokensRead,
)
from algoitny.schemas.presenters import user_read
from algoitny.services import accounts

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _tokens(pair: TokenPair) -> dict:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "access_expires_at": pair.access_expires_at,
        "refresh_expires_at": pair.refresh_expires_at,
    }


@router.get("/config", response_model=AuthConfigRead, responses=errors())
async def sign_in_options(resources: ResourcesDep) -> AuthConfigRead:
    """How a client may sign in here: development sign-in on or off, and the Google client id
    a sign-in button needs (`null` when Google sign-in is not configured)."""
    auth_settings = resources.settings.auth
    client_ids = auth_settings.google_client_ids
    return AuthConfigRead(
        dev_login=auth_settings.dev_login, google_client_id=client_ids[0] if client_ids else None
    )


@router.post("/google/", response_model=SignedIn, responses=errors(401, 403, 503))
async def sign_in_with_google(body: GoogleSignIn, resources: ResourcesDep) -> SignedIn:
    """Exchange a Google ID token (verified against Google's keys: signature, audience,
    issuer, expiry) for our access and refresh tokens. Creates the user on first sign-in."""
    user, pair = await accounts.sign_in_google(resources, body.id_token)
    return SignedIn(**_tokens(pair), user=user_read(user))


@router.post("/dev/", response_model=SignedIn, responses=errors(403))
async def sign_in_for_development(body: DevSignIn, resources: ResourcesDep) -> SignedIn:
    """Development only (`auth.dev_login`, on under `algoitny run`): sign in as any email.
    Paste the `access_token` into *Authorize* in /docs."""
    if not resources.settings.auth.dev_login:
        raise SignInDisabled("Development sign-in is disabled on this server.")
    user, pair = await accounts.sign_in_dev(resources, str(body.email))
    return SignedIn(**_tokens(pair), user=user_read(user))


@router.post("/refresh/", response_model=TokensRead, responses=errors(401, 403))
async def refresh_tokens(body: RefreshRequest, resources: ResourcesDep) -> TokensRead:
    """New access and refresh tokens; the refresh token sent is used up. Sending a used one
    again revokes every token of that sign-in."""
    return TokensRead(**_tokens(await accounts.refresh(resources, body.refresh_token)))


@router.post(
    "/logout/", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=errors(401)
)
async def logout(body: RefreshRequest, resources: ResourcesDep) -> Response:
    """Revoke this sign-in: its refresh token and every access token issued from it."""
    await accounts.logout(resources, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
