"""Signing in and out: find or create the user, start and rotate token families."""

from __future__ import annotations

from algoitny.auth.google import GoogleIdentity
from algoitny.auth.tokens import TokenPair, new_family_id
from algoitny.domain import User, UserRole
from algoitny.errors import InvalidToken, UserExists, UserInactive, UserNotFound
from algoitny.observability.metrics import counting_sign_in
from algoitny.resources import Resources
from algoitny.table import RefreshReused
from algoitny.table.users import new_user_id


def _role_for(resources: Resources, email: str, current: str | None) -> str:
    """``admin_emails`` only grants: a stored admin role (granted, or imported from the old
    system's ``is_staff``) is kept when the email is not listed."""
    admins = {e.lower() for e in resources.settings.auth.admin_emails}
    return UserRole.ADMIN if email.lower() in admins or current == UserRole.ADMIN else UserRole.USER


def _plan_for(resources: Resources, role: str, current: str | None) -> str:
    if role == UserRole.ADMIN:
        return "admin"
    if current and current != "admin":
        return current
    return resources.settings.auth.default_plan


async def find_or_create(resources: Resources, *, email: str, google_id: str | None, name: str) -> User:
    """By Google id, then by email (linking the Google id), else a new user on the default plan.
    A deactivated user is refused (403 ``user_inactive``)."""
    users = resources.users
    user = await users.get_by_google_id(google_id) if google_id else None
    if user is None:
        user = await users.get_by_email(email)
        if user is not None and google_id and user.google_id is None and user.active:
            user = await users.link_google_id(user, google_id)
    if user is None:
        role = _role_for(resources, email, None)
        try:
            user = await users.create(
                User(
                    user_id=new_user_id(),
                    email=email,
                    name=name,
                    google_id=google_id,
                    role=role,
                    plan=_plan_for(resources, role, None),
                )
            )
            await resources.stats.count("signups")
            return user
        except UserExists:  # a concurrent first sign-in won the race: use its user
            user = await (users.get_by_google_id(google_id) if google_id else users.get_by_email(email))
            if user is None:
                raise
    if not user.active:
        raise UserInactive()
    role = _role_for(resources, user.email, user.role)
    return await users.record_sign_in(user.user_id, role=role, plan=_plan_for(resources, role, user.plan))


async def start_session(resources: Resources, user: User) -> TokenPair:
    family = new_family_id()
    pair = resources.token_service.issue(user.user_id, family)
    await resources.tokens.start_family(
        family, user_id=user.user_id, token_id=pair.refresh_id, expires_at=pair.refresh_expires_at
    )
    await resources.stats.count("sign_ins")
    return pair


async def sign_in_google(resources: Resources, id_token: str) -> tuple[User, TokenPair]:
    with counting_sign_in("google"):
        identity: GoogleIdentity = await resources.google.verify(id_token)
        if not identity.email_verified:
            raise InvalidToken("Google has not verified this account's email.")
        user = await find_or_create(
            resources, email=identity.email, google_id=identity.google_id, name=identity.name
        )
        return user, await start_session(resources, user)


async def sign_in_dev(resources: Resources, email: str) -> tuple[User, TokenPair]:
    with counting_sign_in("dev"):
        user = await find_or_create(resources, email=email.lower(), google_id=None, name=email.split("@")[0])
        return user, await start_session(resources, user)


async def refresh(resources: Resources, refresh_token: str) -> TokenPair:
    """Rotates the family's refresh token; a reused one revokes the family (401). A
    deactivated user's family is revoked (403 ``user_inactive``)."""
    claims = resources.token_service.verify(refresh_token, refresh=True)
    try:
        user = await resources.users.get(claims.user_id)
    except UserNotFound as exc:
        raise InvalidToken("This token's user no longer exists.") from exc
    if not user.active:
        await resources.tokens.revoke(claims.family_id)
        raise UserInactive()
    pair = resources.token_service.issue(claims.user_id, claims.family_id)
    try:
        await resources.tokens.rotate(
            claims.family_id,
            presented=claims.token_id,
            new_token_id=pair.refresh_id,
            expires_at=pair.refresh_expires_at,
        )
    except RefreshReused as exc:
        raise InvalidToken("This refresh token was already used or revoked; sign in again.") from exc
    return pair


async def logout(resources: Resources, refresh_token: str) -> None:
    claims = resources.token_service.verify(refresh_token, refresh=True)
    await resources.tokens.revoke(claims.family_id)
