"""Sign-in, account, plan and admin API models."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, Field

from algoitny.schemas.common import StrictBool, StrictInt, StrictModel
from algoitny.schemas.stats import SubmissionTotalsRead

PlanName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="Plan id, e.g. `free`.")]
Token = Annotated[str, Field(min_length=1, max_length=8192)]


class GoogleSignIn(StrictModel):
    id_token: Token = Field(description="The ID token Google Identity Services gave the browser.")


def _dev_email(value: str) -> str:
    """Any syntactically valid address, including the reserved test domains (`example.com`,
    `*.test`, `*.example`, `localhost`) that pydantic's `EmailStr` rejects as undeliverable."""
    local, at, domain = value.rpartition("@")
    if at and (domain.lower() == "localhost" or domain.lower().endswith(".localhost")):
        probe = f"{local}@localhost.test"  # same local-part rules; localhost itself has no dot
    else:
        probe = value
    try:
        valid = validate_email(probe, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {exc}") from None
    return valid.normalized if probe is value else f"{valid.local_part}@{domain.lower()}"


DevEmail = Annotated[
    str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(_dev_email)
]


class AuthConfigRead(BaseModel):
    dev_login: bool = Field(description="`POST /api/auth/dev/` is enabled (development servers only).")
    google_client_id: str | None = Field(
        description="The client id for Google's sign-in button; `null` when off."
    )


class DevSignIn(StrictModel):
    email: DevEmail


class RefreshRequest(StrictModel):
    refresh_token: Token


class TokensRead(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    access_expires_at: int = Field(description="Epoch seconds.")
    refresh_expires_at: int = Field(description="Epoch seconds.")


class PlanRead(BaseModel):
    name: str
    display_name: str
    daily_executions: int
    daily_hints: int
    can_register_problems: bool
    paid: bool
    daily_stress: int | None = Field(
        default=None, description="Counterexample searches asked for per day; null: the server's default."
    )


class PlanWrite(StrictModel):
    display_name: str = Field(min_length=1, max_length=64)
    daily_executions: StrictInt = Field(ge=0, le=10_000_000)
    daily_hints: StrictInt = Field(ge=0, le=10_000_000)
    can_register_problems: StrictBool = False
    paid: StrictBool = False
    daily_stress: StrictInt | None = Field(default=None, ge=0, le=10_000_000)


class ConsentsRead(BaseModel):
    privacy: int | None = Field(description="When the privacy policy was accepted (epoch ms).")
    terms: int | None
    code_ownership: int | None


class UserRead(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    plan: str
    active: bool  # false: signing in and every request with their tokens answer 403 user_inactive
    has_google: bool
    consents: ConsentsRead
    created_at: int
    last_login_at: int


class SignedIn(TokensRead):
    user: UserRead


class ConsentsWrite(StrictModel):
    """Each field present sets (true) or withdraws (false) that consent, stamped now."""

    privacy: StrictBool | None = None
    terms: StrictBool | None = None
    code_ownership: StrictBool | None = None


class UsageItem(BaseModel):
    action: str
    current_count: int
    limit: int
    resets_at: int = Field(description="Epoch seconds.")


class UsageRead(BaseModel):
    plan: str | None
    items: list[UsageItem]


class UserPage(BaseModel):
    items: list[UserRead]
    next_cursor: str | None


class PlanChange(StrictModel):
    plan: PlanName


class ActiveChange(StrictModel):
    active: StrictBool


class DayStats(BaseModel):
    day: str
    executions: int
    runs: int
    hints: int
    signups: int
    sign_ins: int
    accepted: int


class StatsRead(BaseModel):
    days: list[DayStats]
    submissions: SubmissionTotalsRead | None = Field(
        default=None, description="Every judged submission so far, by language, platform and verdict."
    )
