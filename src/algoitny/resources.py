"""The long-lived clients, opened once per process and shared.

The API's lifespan and the worker's ``on_startup`` both open one
``Resources``; nothing builds a DynamoDB or Redis client anywhere else
(a new aioboto3 client costs ~0.4 s, so never one per request).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

import aioboto3
import httpx
from aiobotocore.session import AioSession
from arq import ArqRedis
from arq.connections import RedisSettings as ArqRedisSettings
from botocore.config import Config
from redis.asyncio import ConnectionPool

from algoitny.ai import AiProvider, open_provider
from algoitny.auth.google import GoogleVerifier
from algoitny.auth.session_cache import CachedTokenRepository, CachedUserRepository
from algoitny.auth.tokens import TokenService
from algoitny.events import EventLog
from algoitny.observability import dynamodb as dynamodb_metrics
from algoitny.observability.redis import CountingConnection
from algoitny.services.problem_cache import (
    CachedProblemRepository,
    CachedSubmissionRepository,
    CachedTestCaseRepository,
    ProblemCache,
)
from algoitny.settings import Settings, TableClientSettings, TableSettings
from algoitny.table import (
    CursorCodec,
    PlanRepository,
    ProblemRepository,
    StatsRepository,
    SubmissionRepository,
    Table,
    TestCaseRepository,
    TokenRepository,
    UsageRepository,
    UserRepository,
)
from algoitny.table.bulkhead import BoundedClient
from algoitny.table.generation_jobs import GenerationJobRepository
from algoitny.table.hints import HintRepository
from algoitny.table.response_parser import DynamoDBResponseParserFactory
from algoitny.table.stress import StressRepository


def dynamodb_client_kwargs(table: TableSettings, client: TableClientSettings | None = None) -> dict[str, Any]:
    """``client`` picks the timeouts and retries (``table.api`` or ``table.worker``); the
    default is the worker's patient one (scripts, migrations)."""
    client = client or table.worker
    kwargs: dict[str, Any] = {
        "region_name": table.region,
        "config": Config(
            retries={"total_max_attempts": client.max_attempts, "mode": "standard"},
            max_pool_connections=client.max_connections,
            connect_timeout=client.connect_timeout_s,
            read_timeout=client.read_timeout_s,
        ),
    }
    if table.endpoint_url:
        kwargs["endpoint_url"] = table.endpoint_url
        # DynamoDB Local accepts any credentials; real DynamoDB uses the standard chain.
        if not os.environ.get("AWS_ACCESS_KEY_ID"):
            kwargs |= {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    return kwargs


@contextlib.asynccontextmanager
async def open_dynamodb(table: TableSettings, client: TableClientSettings | None = None):
    """The client, with at most ``max_connections`` calls in flight and a bounded wait for
    a turn (``table/bulkhead.py``), reading answers with ``table/response_parser.py``."""
    client = client or table.worker
    botocore_session = AioSession()
    botocore_session.register_component("response_parser_factory", DynamoDBResponseParserFactory())
    session = aioboto3.Session(botocore_session=botocore_session)
    async with session.client("dynamodb", **dynamodb_client_kwargs(table, client)) as dynamodb:
        yield BoundedClient(dynamodb, limit=client.max_connections, wait_s=client.connection_wait_s)


def arq_redis_settings(url: str) -> ArqRedisSettings:
    settings = ArqRedisSettings.from_dsn(url)
    settings.conn_timeout = 2
    settings.conn_retries = 1
    return settings


def open_redis(settings: Settings) -> ArqRedis:
    """Connects lazily: the API starts (and /health/ready reports) while Redis is down."""
    pool = ConnectionPool.from_url(
        settings.redis.url,
        socket_connect_timeout=2,
        socket_timeout=10,
        connection_class=CountingConnection,  # counts Redis errors (observability/redis.py)
    )
    return ArqRedis(pool, default_queue_name=settings.redis.queue_name)


@dataclass
class Resources:
    settings: Settings
    dynamodb: Any
    redis: ArqRedis
    table: Table
    problems: ProblemRepository
    test_cases: TestCaseRepository
    submissions: SubmissionRepository
    usage: UsageRepository
    events: EventLog
    ai: AiProvider | None  # None without an API key: AI features use their fallbacks
    generation_jobs: GenerationJobRepository
    hints: HintRepository
    users: UserRepository
    plans: PlanRepository
    tokens: TokenRepository
    stats: StatsRepository
    http: httpx.AsyncClient
    token_service: TokenService
    google: GoogleVerifier
    stress: StressRepository
    plan_cache: dict = field(default_factory=dict)


@contextlib.asynccontextmanager
async def open_resources(settings: Settings, *, worker: bool = False):
    """The API's clients fail fast; the worker's (``worker=True``) retry longer."""
    async with contextlib.AsyncExitStack() as stack:
        table_client = settings.table.worker if worker else settings.table.api
        dynamodb = await stack.enter_async_context(open_dynamodb(settings.table, table_client))
        if settings.metrics.enabled:
            dynamodb_metrics.instrument(dynamodb)  # botocore event hooks (observability/dynamodb.py)
        redis = open_redis(settings)
        stack.push_async_callback(redis.connection_pool.disconnect)
        stack.push_async_callback(redis.aclose)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        table = Table(dynamodb, settings.table.name)
        cursors = CursorCodec(settings.cursor_secret.get_secret_value())
        cache = ProblemCache(redis, settings.table.name, settings.redis.problem_cache_ttl_s)
        yield Resources(
            settings=settings,
            dynamodb=dynamodb,
            redis=redis,
            table=table,
            problems=CachedProblemRepository(table, cursors, cache),
            test_cases=CachedTestCaseRepository(table, cursors, cache),
            submissions=CachedSubmissionRepository(table, cursors, cache),
            usage=UsageRepository(table),
            events=EventLog(redis),
            ai=await stack.enter_async_context(open_provider(settings.ai)),
            generation_jobs=GenerationJobRepository(table, cursors),
            hints=HintRepository(table),
            users=CachedUserRepository(table, cursors, settings.auth.session_cache_s),
            plans=PlanRepository(table),
            tokens=CachedTokenRepository(table, settings.auth.session_cache_s),
            stats=StatsRepository(table),
            http=http,
            token_service=TokenService(settings.auth),
            google=GoogleVerifier(settings.auth, http),
            stress=StressRepository(table),
        )
