"""How much the API layer costs on top of the table, and what the metrics add: problem + 50 test cases.

Starts DynamoDB Local (in memory), redis-server and two API processes (real uvicorn), one with
metrics on (the default) and one with ``ALGOITNY_METRICS__ENABLED=false`` (no request metrics,
no /metrics, no table-call hooks), loads one problem with 50 test cases, then measures in one
run, alternating rounds so all three see the same machine:

  (a) GET /api/problems/{platform}/{id}/with-test-cases over HTTP, metrics on
  (c) the same request to the API with metrics off, at the same time as (a)
  (b) the same partition read with a raw aioboto3 Query against the same DynamoDB Local

(a) and (c) run at the same time, each with the full concurrency, so both see the same load;
(b) follows in each round. Prints requests/s of each, the ratios (a)/(b) and (c)/(b), p50/p99
latency of (a), and ``metrics_cost`` = 1 − median over rounds of ratio_on / ratio_off (in one
round both ratios share the raw figure, so that is (a)/(c) of the round); the last line is one
JSON object with those figures.
Targets: ratio >= 0.5; metrics_cost within 5 % (|metrics_cost| <= 0.05).

    .venv/bin/python benchmarks/api.py [--requests 300] [--concurrency 8] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

import aiohttp

from algoitny.localstack import ChildProcess, free_port, start_dynamodb, start_redis, wait_listening
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import TableSettings

ADMIN_TOKEN = "bench-admin"
TABLE = "bench"


async def _timed_requests(call, total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    remaining = iter(range(total))

    async def worker() -> None:
        for _ in remaining:
            started = time.perf_counter()
            await call()
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - started), latencies


async def main(args: argparse.Namespace) -> dict:
    dynamodb_port, redis_port, api_port, bare_port = free_port(), free_port(), free_port(), free_port()
    dynamodb = await start_dynamodb(dynamodb_port, data_dir=None)
    redis = await start_redis(redis_port, data_dir=None)
    endpoint = f"http://127.0.0.1:{dynamodb_port}"
    env = {
        **os.environ,
        "ALGOITNY_TABLE__NAME": TABLE,
        "ALGOITNY_TABLE__ENDPOINT_URL": endpoint,
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALGOITNY_ADMIN_TOKEN": ADMIN_TOKEN,
        # The fail-fast defaults are for DynamoDB; a DynamoDB Local on a loaded machine needs patience.
        "ALGOITNY_TABLE__API__READ_TIMEOUT_S": "20",
        "ALGOITNY_TABLE__API__MAX_ATTEMPTS": "5",
    }
    api = bare = None
    try:
        async with open_dynamodb(TableSettings(endpoint_url=endpoint)) as client:
            await migrate(client, TABLE)
            api = await ChildProcess.start(
                "api", [sys.executable, "-m", "algoitny.cli", "api", "--port", str(api_port)], env=env
            )
            bare = await ChildProcess.start(
                "api without metrics",
                [sys.executable, "-m", "algoitny.cli", "api", "--port", str(bare_port)],
                env=env | {"ALGOITNY_METRICS__ENABLED": "false"},
            )
            base = f"http://127.0.0.1:{api_port}"
            await wait_listening(api, api_port)
            await wait_listening(bare, bare_port)
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            # aiohttp on both sides: aiobotocore, used for (b), is built on it too.
            connector = aiohttp.TCPConnector(limit=2 * args.concurrency)  # (a) and (c) together
            async with aiohttp.ClientSession(base, headers=headers, connector=connector) as http:
                body = {
                    "platform": "baekjoon",
                    "problem_identifier": "1000",
                    "title": "A+B",
                    "tags": ["math"],
                }
                async with http.post("/api/problems", json=body) as response:
                    assert response.status == 201
                cases = [{"input": f"{i} {i * 7}\n", "output": f"{i * 8}\n"} for i in range(50)]
                async with http.post(
                    "/api/problems/baekjoon/1000/test-cases", json={"test_cases": cases}
                ) as response:
                    assert response.status == 201, await response.text()

                async def through_api() -> None:
                    async with http.get("/api/problems/baekjoon/1000/with-test-cases") as response:
                        assert response.status == 200
                        assert len((await response.json())["test_cases"]) == 50

                bare_url = f"http://127.0.0.1:{bare_port}/api/problems/baekjoon/1000/with-test-cases"

                async def through_bare_api() -> None:
                    async with http.get(bare_url) as response:
                        assert response.status == 200
                        assert len((await response.json())["test_cases"]) == 50

                async def raw_query() -> None:
                    response = await client.query(
                        TableName=TABLE,
                        KeyConditionExpression="PK = :pk",
                        ExpressionAttributeValues={":pk": {"S": "PROB#baekjoon#1000"}},
                    )
                    assert response["Count"] >= 51

                for call in (through_api, through_bare_api, raw_query):  # warm up every path
                    await _timed_requests(call, 50, args.concurrency)
                api_rates, bare_rates, raw_rates, api_latencies = [], [], [], []
                on_ratios, off_ratios = [], []
                for _ in range(args.rounds):
                    # The two APIs run at the same time, so both see exactly the same machine
                    # (and the same DynamoDB Local); the raw reads follow, for the ratios.
                    (on, latencies), (off, _) = await asyncio.gather(
                        _timed_requests(through_api, args.requests, args.concurrency),
                        _timed_requests(through_bare_api, args.requests, args.concurrency),
                    )
                    raw, _ = await _timed_requests(raw_query, args.requests, args.concurrency)
                    api_latencies += latencies
                    api_rates.append(on)
                    bare_rates.append(off)
                    raw_rates.append(raw)
                    on_ratios.append(on / raw)
                    off_ratios.append(off / raw)
    finally:
        for process in (api, bare):
            if process:
                await process.stop()
        await redis.stop()
        await dynamodb.stop()
    api_rps, raw_rps = statistics.median(api_rates), statistics.median(raw_rates)
    ratio_on, ratio_off = statistics.median(on_ratios), statistics.median(off_ratios)
    # Per round, ratio_on / ratio_off = on / off (same raw figure): the cost, measured side by side.
    cost = 1 - statistics.median(on / off for on, off in zip(on_ratios, off_ratios, strict=True))
    ordered = sorted(api_latencies)
    return {
        "api_rps": round(api_rps, 1),
        "api_without_metrics_rps": round(statistics.median(bare_rates), 1),
        "raw_query_rps": round(raw_rps, 1),
        "ratio": round(api_rps / raw_rps, 3),
        "ratio_metrics_on": round(ratio_on, 3),
        "ratio_metrics_off": round(ratio_off, 3),
        "metrics_cost": round(cost, 3),
        "api_p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "api_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "test_cases": 50,
        "concurrency": args.concurrency,
        "requests_per_round": args.requests,
        "rounds": args.rounds,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    figures = asyncio.run(main(parser.parse_args()))
    print(
        f"(a) API  GET with test cases: {figures['api_rps']:8.1f} req/s  "
        f"p50 {figures['api_p50_ms']} ms  p99 {figures['api_p99_ms']} ms"
    )
    print(f"(c) the same, metrics off:    {figures['api_without_metrics_rps']:8.1f} req/s")
    print(f"(b) raw aioboto3 Query:       {figures['raw_query_rps']:8.1f} req/s")
    print(f"ratio (a)/(b): {figures['ratio']}  (target >= 0.5)")
    print(
        f"metrics on {figures['ratio_metrics_on']} vs off {figures['ratio_metrics_off']} of raw: "
        f"cost {figures['metrics_cost']:+.1%}  (target within 5 %)"
    )
    print(json.dumps(figures))
