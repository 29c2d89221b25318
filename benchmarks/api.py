"""How much the API layer costs on top of the table: problem + 50 test cases.

Starts DynamoDB Local (in memory), redis-server and the API (a real uvicorn
process), loads one problem with 50 test cases, then measures in one run,
alternating rounds so both see the same machine:

  (a) GET /api/problems/{platform}/{id}/with-test-cases over HTTP
  (b) the same partition read with a raw aioboto3 Query against the same DynamoDB Local

Prints requests/s of each, the ratio (a)/(b) and p50/p99 latency of (a); the
last line is one JSON object with those figures. Target: ratio >= 0.5.

    .venv/bin/python benchmarks/api.py [--requests 400] [--concurrency 8] [--rounds 3]
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
    dynamodb_port, redis_port, api_port = free_port(), free_port(), free_port()
    dynamodb = await start_dynamodb(dynamodb_port, data_dir=None)
    redis = await start_redis(redis_port, data_dir=None)
    endpoint = f"http://127.0.0.1:{dynamodb_port}"
    env = {
        **os.environ,
        "ALGOITNY_TABLE__NAME": TABLE,
        "ALGOITNY_TABLE__ENDPOINT_URL": endpoint,
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALGOITNY_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    api = None
    try:
        async with open_dynamodb(TableSettings(endpoint_url=endpoint)) as client:
            await migrate(client, TABLE)
            api = await ChildProcess.start(
                "api", [sys.executable, "-m", "algoitny.cli", "api", "--port", str(api_port)], env=env
            )
            base = f"http://127.0.0.1:{api_port}"
            await wait_listening(api, api_port)
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            # aiohttp on both sides: aiobotocore, used for (b), is built on it too.
            connector = aiohttp.TCPConnector(limit=args.concurrency)
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

                async def raw_query() -> None:
                    response = await client.query(
                        TableName=TABLE,
                        KeyConditionExpression="PK = :pk",
                        ExpressionAttributeValues={":pk": {"S": "PROB#baekjoon#1000"}},
                    )
                    assert response["Count"] >= 51

                for call in (through_api, raw_query):  # warm up both paths
                    await _timed_requests(call, 50, args.concurrency)
                api_rates, raw_rates, api_latencies = [], [], []
                for _ in range(args.rounds):
                    rate, latencies = await _timed_requests(through_api, args.requests, args.concurrency)
                    api_rates.append(rate)
                    api_latencies += latencies
                    rate, _ = await _timed_requests(raw_query, args.requests, args.concurrency)
                    raw_rates.append(rate)
    finally:
        if api:
            await api.stop()
        await redis.stop()
        await dynamodb.stop()
    api_rps, raw_rps = statistics.median(api_rates), statistics.median(raw_rates)
    ordered = sorted(api_latencies)
    return {
        "api_rps": round(api_rps, 1),
        "raw_query_rps": round(raw_rps, 1),
        "ratio": round(api_rps / raw_rps, 3),
        "api_p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
        "api_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "test_cases": 50,
        "concurrency": args.concurrency,
        "requests_per_round": args.requests,
        "rounds": args.rounds,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    figures = asyncio.run(main(parser.parse_args()))
    print(
        f"(a) API  GET with test cases: {figures['api_rps']:8.1f} req/s  "
        f"p50 {figures['api_p50_ms']} ms  p99 {figures['api_p99_ms']} ms"
    )
    print(f"(b) raw aioboto3 Query:       {figures['raw_query_rps']:8.1f} req/s")
    print(f"ratio (a)/(b): {figures['ratio']}  (target >= 0.5)")
    print(json.dumps(figures))
