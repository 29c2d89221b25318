import httpx

from algoitny.app import create_app
from algoitny.localstack import free_port
from algoitny.settings import RedisSettings


async def test_live(api):
    assert (await api.get("/health/live")).json() == {
        "status": "ok",
        "checks": {},
        "workers_alive": None,
        "queue_depth": None,
        "indexer_lag_s": None,
        "indexer_shards": None,
    }


async def test_ready_when_all_up(api, announced_worker, table):
    from algoitny.table import ShardStateRepository

    # An indexer's lease on the stream's shard, as tests/indexer's real indexers take it.
    leases = ShardStateRepository(table)
    assert await leases.acquire("shardId-1", stream_arn="arn:stream", owner="i", lease_ms=600_000)
    assert await leases.renew("shardId-1", owner="i", lease_ms=600_000, sequence="12", lag_ms=0)
    response = await api.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "table": "ok",
            "redis": "ok",
            "workers": "ok: 1 alive",
            "indexer": "ok: 1 shards, lag 0.0 s",
        },
        "workers_alive": 1,
        "queue_depth": 0,
        "indexer_lag_s": 0.0,
        "indexer_shards": {"shardId-1": 0.0},
    }


async def test_ready_says_no_live_worker_and_counts_the_queue(api, settings):
    from algoitny.resources import open_redis

    redis = open_redis(settings)
    await redis.enqueue_job("ping", _job_id="waiting")  # a job nobody takes
    await redis.aclose()
    response = await api.get("/health/ready")
    assert response.status_code == 200, "the API still serves reads"
    body = response.json()
    assert body["status"] == "degraded" and body["workers_alive"] == 0 and body["queue_depth"] == 1
    assert body["checks"]["workers"].startswith("no live worker")


async def _ready_with(settings):
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/health/ready")


async def test_ready_says_redis_is_down(settings):
    dead = settings.model_copy(update={"redis": RedisSettings(url=f"redis://127.0.0.1:{free_port()}/0")})
    response = await _ready_with(dead)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready" and "redis" in error["message"]
    assert error["details"]["table"] == "ok" and error["details"]["redis"].startswith("down")
    assert error["details"]["workers_alive"] is None and error["details"]["workers"].startswith("unknown")


async def test_ready_says_table_is_missing(settings):
    missing = settings.model_copy(
        update={"table": settings.table.model_copy(update={"name": "no-such-table"})}
    )
    response = await _ready_with(missing)
    assert response.status_code == 503
    details = response.json()["error"]["details"]
    assert details["table"].startswith("down") and details["redis"] == "ok"
