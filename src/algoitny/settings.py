"""One Settings object, read from ``ALGOITNY_*`` environment variables.

Nested groups use ``__``: ``ALGOITNY_TABLE__NAME=algoitny-prod``,
``ALGOITNY_TABLE__ENDPOINT_URL=http://127.0.0.1:8001``. With no endpoint the
standard AWS credential chain and real DynamoDB are used.
"""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class TableClientSettings(BaseModel):
    """Timeouts and retry budget of one DynamoDB client (botocore's ``standard`` retries).
    The defaults are the API's: it fails fast, so a caller gets 503 within about two
    seconds of the table becoming unreachable (a table that accepts connections but never
    answers: read timeout × attempts, ~4 s) instead of a hang."""

    connect_timeout_s: float = Field(default=1.0, gt=0, description="Opening a connection to the table.")
    read_timeout_s: float = Field(default=2.0, gt=0, description="Waiting for the answer to one request.")
    max_attempts: int = Field(default=2, ge=1, description="Tries of one request in all (1 = no retry).")
    max_connections: int = Field(
        default=64, ge=1, description="Calls in flight at once, per process (and pooled connections)."
    )
    connection_wait_s: float = Field(
        default=1.0,
        gt=0,
        description="Waiting for a free connection when all are busy; past it, 503 (table/bulkhead.py).",
    )


class WorkerTableClientSettings(TableClientSettings):
    """The worker waits longer and retries more: the writes it makes (results, the final
    count) must not be lost to a blip."""

    connect_timeout_s: float = Field(default=3.0, gt=0)
    read_timeout_s: float = Field(default=20.0, gt=0)
    max_attempts: int = Field(default=10, ge=1)
    connection_wait_s: float = Field(default=60.0, gt=0)


class TableSettings(BaseModel):
    name: str = "algoitny"
    region: str = "us-east-1"
    endpoint_url: str | None = Field(
        default=None, description="DynamoDB Local's URL; unset for real DynamoDB."
    )
    api: TableClientSettings = TableClientSettings()
    worker: WorkerTableClientSettings = WorkerTableClientSettings()


class RedisSettings(BaseModel):
    url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "algoitny:queue"
    problem_cache_ttl_s: float = Field(
        default=10.0, ge=0, description="How long a problem and its samples stay cached; 0 = no cache."
    )


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = Field(
        default=1024 * 1024, gt=0, description="Largest request body of most routes (see `body_limits.py`)."
    )
    max_problem_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        gt=0,
        description="Problem writes and custom runs (statements, checker sources, 1 MiB of stdin).",
    )
    max_upload_bytes: int = Field(
        default=256 * 1024 * 1024, gt=0, description="Test-case uploads (add, replace)."
    )
    body_idle_timeout_s: float = Field(
        default=15.0, gt=0, description="A request body that sends nothing for this long gets 408."
    )
    body_timeout_s: float = Field(
        default=300.0, gt=0, description="A request body not complete after this long gets 408."
    )
    access_log: bool = Field(default=False, description="uvicorn's per-request log line.")


class ClientSettings(BaseModel):
    """Telling callers apart (see ``client_identity.py``)."""

    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed "
        '(e.g. `["10.0.0.0/8"]`); empty = the TCP peer is the client.',
    )
    anonymous_cookie_secure: bool = Field(
        default=False, description="Mark the anonymous-owner cookie Secure (set it when served over HTTPS)."
    )
    anonymous_cookie_max_age_s: int = Field(default=365 * 24 * 3600, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            ipaddress.ip_network(entry, strict=False)  # raises ValueError: a typo fails at start-up
        return entries


class QuotaSettings(BaseModel):
    """Daily limits per action until plans (sign-in) supply them per user."""

    anonymous_executions: int = Field(default=50, ge=0, description="Per client IP; 0 = sign-in required.")
    user_executions: int = Field(default=200, ge=0)
    admin_executions: int = Field(default=1_000_000, ge=0)
    anonymous_hints: int = Field(default=5, ge=0, description="Per client IP; 0 = sign-in required.")
    user_hints: int = Field(default=20, ge=0)
    admin_hints: int = Field(default=1_000_000, ge=0)
    anonymous_stress: int = Field(
        default=0,
        ge=0,
        description="Counterexample searches asked for (per client IP); 0 = sign-in required.",
    )
    user_stress: int = Field(default=10, ge=0)
    admin_stress: int = Field(default=1_000_000, ge=0)


class JudgeSettings(BaseModel):
    max_code_bytes: int = 64 * 1024
    max_stdin_bytes: int = 1024 * 1024
    run_time_limit_ms: int = Field(default=5000, description="CPU limit of a custom-input run.")
    run_memory_limit_mb: int = 256
    worker_jobs: int = Field(default=4, description="Submissions one worker judges at once.")
    slots: int | None = Field(default=None, description="Sandboxes run at once per worker; default = cores.")
    lease_s: int = Field(
        default=15, description="A job whose worker stops renewing for this long is resumed."
    )
    job_timeout_s: int = Field(default=3600, description="arq's hard limit for one judge job.")


class StressSettings(BaseModel):
    """Counterexample searches (``services/counterexample.py``): their budget, and the arq
    queue of their own that every worker serves beside judging, a few at a time."""

    runs: int = Field(default=600, ge=1, description="Sandbox runs one search may spend.")
    cpu_seconds: float = Field(default=60.0, gt=0, description="CPU time one search may spend.")
    wall_seconds: float = Field(default=30.0, gt=0, description="Wall time one search may spend.")
    worker_jobs: int = Field(
        default=1, ge=1, description="Searches one worker runs at once (its judging jobs are apart)."
    )
    queue_suffix: str = Field(
        default=":stress", min_length=1, description="Appended to the judge queue's name."
    )
    job_timeout_s: int = Field(default=600, ge=1, description="arq's hard limit for one search job.")
    recover_every_s: float = Field(
        default=30.0, gt=0, description="How often each worker looks for searches whose job was lost."
    )
    lost_after_s: float = Field(
        default=60.0,
        ge=0,
        description="A search this old with no arq job (queued, running or finished) is lost: restarted.",
    )
    give_up_after_s: float = Field(
        default=3600.0, ge=0, description="A lost search older than this is marked failed instead."
    )


class IndexerSettings(BaseModel):
    """The stream indexer (docs/indexer.md)."""

    lease_s: float = Field(
        default=10.0, gt=0, description="A shard whose indexer stops renewing this long is taken over."
    )
    poll_interval_s: float = Field(
        default=0.25, gt=0, description="Wait after a read that found nothing new."
    )
    discover_interval_s: float = Field(
        default=2.0, gt=0, description="How often shards are listed and leased."
    )
    batch_limit: int = Field(default=1000, ge=1, le=1000, description="Records per GetRecords.")
    apply_concurrency: int = Field(default=8, ge=1, description="Submissions counted at once.")


class AuthSettings(BaseModel):
    """Sign-in. Tokens are HS256 JWTs signed with ``signing_keys[active_key]``; every key
    listed still verifies, so keys rotate by adding a new one and switching ``active_key``."""

    google_client_ids: list[str] = Field(
        default_factory=list, description="Accepted `aud` of Google ID tokens."
    )
    google_certs_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    google_issuers: list[str] = Field(
        default_factory=lambda: ["accounts.google.com", "https://accounts.google.com"]
    )
    admin_emails: list[str] = Field(default_factory=list, description="These users are admins.")
    dev_login: bool = Field(default=False, description="Enable POST /api/auth/dev/ (local development only).")
    signing_keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {"dev": SecretStr(secrets.token_urlsafe(32))},
        description="kid → secret. The default is random per process: set it for more than one process.",
    )
    active_key: str = "dev"
    issuer: str = "algoitny"
    access_ttl_s: int = 15 * 60
    refresh_ttl_s: int = 30 * 24 * 3600
    default_plan: str = "free"
    session_cache_s: float = Field(
        default=5.0,
        ge=0,
        description="How long a process trusts a session's state and a user's role/plan it read "
        "(other processes' sign-outs and plan changes apply within this); 0 = read every time.",
    )


class AiSettings(BaseModel):
    """Gemini through google-genai. Without ``api_key`` every AI feature uses its
    deterministic fallback (or answers ``409 ai_unavailable``)."""

    api_key: SecretStr | None = Field(default=None, description="Gemini API key; unset = no AI.")
    base_url: str | None = Field(
        default=None, description="Another Gemini endpoint (a proxy, a test server)."
    )
    generator_model: str = Field(
        default="gemini-2.5-flash", description="Writes test-input generator scripts."
    )
    solution_model: str = Field(default="gemini-2.5-pro", description="Writes reference solutions.")
    hint_model: str = Field(default="gemini-2.5-flash", description="Writes submission and problem hints.")
    timeout_s: float = Field(default=60.0, gt=0, description="One model call, end to end.")
    retries: int = Field(default=3, ge=0, description="Extra tries of a call after 429, 5xx or a timeout.")
    backoff_s: float = Field(default=1.0, ge=0, description="First wait between tries; doubles each time.")
    max_attempts: int = Field(
        default=3, ge=1, le=10, description="Model answers a job tries, each told the last error."
    )
    generator_time_limit_ms: int = Field(default=10_000, description="CPU limit of one generator run.")
    generator_memory_mb: int = Field(default=512)
    generator_output_bytes: int = Field(
        default=8 * 1024 * 1024, description="Largest input a generator may print."
    )


class MetricsSettings(BaseModel):
    """Prometheus metrics (``observability/``). The API serves ``GET /metrics`` on its own port;
    each worker serves its own on ``worker_port``. With several API processes (uvicorn
    workers) set ``PROMETHEUS_MULTIPROC_DIR`` (``algoitny api --workers N`` does)."""

    enabled: bool = Field(
        default=True,
        description="Request metrics and the API's /metrics route; the table-call hooks (API and worker).",
    )
    worker_host: str = Field(default="127.0.0.1", description="Where a worker serves its /metrics.")
    worker_port: int | None = Field(
        default=9101, ge=0, le=65535, description="A worker's /metrics port; unset (null) = none."
    )
    queue_poll_s: float = Field(default=5.0, gt=0, description="How often a worker reads the queue depth.")


class LogSettings(BaseModel):
    """Structured logs (``observability/logs.py``): JSON lines, or readable text on a terminal."""

    format: Literal["auto", "json", "console"] = Field(
        default="auto", description="`auto`: readable text when stderr is a terminal, else JSON lines."
    )
    level: str = "INFO"


class SearchSettings(BaseModel):
    """The problem search index (docs/search.md): SQLite FTS5 in ``path`` by default,
    OpenSearch when ``url`` is set."""

    path: Path = Field(
        default=Path("data/search.sqlite3"), description="The FTS5 index file (created if missing)."
    )
    url: str | None = Field(default=None, description="An OpenSearch cluster; unset = the FTS5 file.")
    index: str = Field(default="algoitny-problems", description="The OpenSearch index name.")
    username: str | None = None
    password: SecretStr | None = None
    timeout_s: float = Field(default=5.0, gt=0, description="One OpenSearch request.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALGOITNY_", env_nested_delimiter="__", extra="ignore")

    table: TableSettings = TableSettings()
    redis: RedisSettings = RedisSettings()
    api: ApiSettings = ApiSettings()
    clients: ClientSettings = ClientSettings()
    quota: QuotaSettings = QuotaSettings()
    judge: JudgeSettings = JudgeSettings()
    stress: StressSettings = StressSettings()
    indexer: IndexerSettings = IndexerSettings()
    ai: AiSettings = AiSettings()
    auth: AuthSettings = AuthSettings()
    metrics: MetricsSettings = MetricsSettings()
    log: LogSettings = LogSettings()
    search: SearchSettings = SearchSettings()
    admin_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that grants admin rights until sign-in lands; unset = no admin.",
    )
    cursor_secret: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description="Signs pagination cursors; set it so cursors survive restarts and span replicas.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
