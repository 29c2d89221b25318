"""Capacity: does the API keep its throughput as concurrency goes up? (issue 16)

Starts DynamoDB Local (in memory), redis-server and one API process per code
version: this tree ("new") and, with ``--compare-ref REV``, that git revision
checked out into a temporary ``git worktree`` ("ref"), each with its own table
and Redis database. Seeds one released problem with samples, signed-in users
(``/api/auth/dev/``) and some history, then drives, at each concurrency level
(1, 16, 64, 256 by default) and with a bounded number of requests per step:

  problem   GET /api/problems/{p}/{id}            anonymous
  samples   GET /api/problems/{p}/{id}/samples    signed in
  history   GET /api/submissions/mine?limit=20    signed in
  feed      GET /api/submissions/public?limit=20  anonymous
  submit    POST /api/execute/                    signed in

and, in the same run, the raw DynamoDB operation each needs (GetItem, Query,
Query GSI1, Query GSI2, UpdateItem ADD) with one aioboto3 client at the same
concurrency. Steps are interleaved (for each level, for each request: ref, new,
raw), so all three see the same machine; the load average is recorded beside
every step.

The driver is this process (uvloop + aiohttp, the HTTP stack aiobotocore uses,
so both sides of the API/raw ratio pay the same client cost); the API runs in its
own process. Each step records the CPU share of the driver, the API process and
DynamoDB Local (from /proc), so a figure bounded by the driver says so.

No worker judges: a worker announcement is written to Redis (the API only checks
that one is alive), so the figures are the API's cost of *accepting* a submission
and not the CPU of judging it, which would compete for the same two cores.

Prints one line per step, the targets, and last one JSON object.

    .venv/bin/python benchmarks/load.py [--compare-ref main] [--levels 1,16,64,256]
        [--requests 300] [--repeat K] [--kinds problem,samples,history,feed,submit]
        [--api-workers N] [--py-spy OUT] [--new-env NAME=VALUE ...]

With ``--repeat K`` every level is swept K times (sweep after sweep, so slow drift
in the machine's load spreads over all levels) and each figure is the median.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aioboto3
import aiohttp
import uvloop
from botocore.config import Config

from algoitny.localstack import ChildProcess, free_port, start_dynamodb, start_redis, wait_listening
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.services.workers import WorkerAnnouncement, announce
from algoitny.settings import TableSettings
from algoitny.table import keys

REPO = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "load-admin"
PLATFORM, IDENTIFIER = "custom", "load-a-plus-b"
USERS = 32
HISTORY_PAGE = 20
# A full history page for every user before the first step: with fewer, the `history`
# steps at low levels read short pages and later ones (after the submit steps added
# more) full pages, so the levels would not measure the same request.
SEED_SUBMISSIONS = USERS * HISTORY_PAGE
KINDS = ("problem", "samples", "history", "feed", "submit")
RAW_OP = {"problem": "GetItem", "samples": "Query", "history": "Query GSI1", "feed": "Query GSI2"}
RAW_OP["submit"] = "UpdateItem"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (uvicorn --workers)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        pending += [int(child) for child in children]
    return total


def host_cpu_seconds() -> float:
    """Busy CPU of the whole machine, every process (``/proc/stat``: all but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


@dataclass
class Step:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    statuses: dict[str, int]  # the unexpected answers, by HTTP status
    driver_cpu: float  # CPU seconds of this process per wall second (1.0 = one core busy)
    api_cpu: float | None
    db_cpu: float
    host_cpu: float  # the whole machine's (at most the core count): the rest is other processes
    load_avg: float

    def json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


Call = Callable[[int], Awaitable[int]]  # request number → 0 if as expected, else the HTTP status


async def run_step(call: Call, total: int, concurrency: int, pids: dict[str, int | None]) -> Step:
    latencies: list[float] = []
    unexpected: Counter[str] = Counter()
    counter = iter(range(total))

    async def client() -> None:
        for n in counter:
            started = time.perf_counter()
            try:
                status: int | str = await call(n)
            except aiohttp.ClientError as exc:  # counted, not fatal: the step goes on
                status = type(exc).__name__
            latencies.append(time.perf_counter() - started)
            if status:
                unexpected[str(status)] += 1

    api_pid, db_pid = pids["api"], pids["db"]
    assert db_pid is not None
    before = (
        time.process_time(),
        cpu_seconds(api_pid) if api_pid else 0.0,
        cpu_seconds(db_pid),
        host_cpu_seconds(),
    )
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    after = (
        time.process_time(),
        cpu_seconds(api_pid) if api_pid else 0.0,
        cpu_seconds(db_pid),
        host_cpu_seconds(),
    )
    return Step(
        rps=round(total / wall, 1),
        p50_ms=round(percentile(latencies, 50) * 1000, 2),
        p99_ms=round(percentile(latencies, 99) * 1000, 2),
        requests=total,
        errors=unexpected.total(),
        statuses=dict(unexpected),
        driver_cpu=round((after[0] - before[0]) / wall, 2),
        api_cpu=round((after[1] - before[1]) / wall, 2) if api_pid else None,
        db_cpu=round((after[2] - before[2]) / wall, 2),
        host_cpu=round((after[3] - before[3]) / wall, 2),
        load_avg=round(os.getloadavg()[0], 2),
    )


@dataclass
class Target:
    """One API process with its own table and Redis database, and the seeded callers."""

    name: str
    source: Path
    table: str
    redis_db: int
    port: int = 0
    child: ChildProcess | None = None
    tokens: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def api_env(target: Target, dynamodb: str, redis_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(target.source / "src"),
        "ALGOITNY_TABLE__NAME": target.table,
        "ALGOITNY_TABLE__ENDPOINT_URL": dynamodb,
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/{target.redis_db}",
        "ALGOITNY_ADMIN_TOKEN": ADMIN_TOKEN,
        "ALGOITNY_AUTH__DEV_LOGIN": "true",
        "ALGOITNY_AUTH__DEFAULT_PLAN": "admin",  # 1,000,000 executions a day: no 429 in the run
        "ALGOITNY_AUTH__SIGNING_KEYS": json.dumps({"load": "load-signing-key-" + "x" * 32}),
        "ALGOITNY_AUTH__ACTIVE_KEY": "load",
        "ALGOITNY_CURSOR_SECRET": "load-cursor-secret",
        "ALGOITNY_API__ACCESS_LOG": "false",
    }


async def seed(target: Target, http: aiohttp.ClientSession) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    problem = {"platform": PLATFORM, "problem_identifier": IDENTIFIER, "title": "A+B", "tags": ["math"]}
    problem |= {"status": "completed", "statement": "Print a+b. " * 40}
    async with http.post(target.base + "/api/problems", json=problem, headers=admin) as response:
        assert response.status == 201, await response.text()
    cases = [{"input": f"{i} {i}\n", "output": f"{2 * i}\n", "kind": "sample"} for i in range(3)]
    cases += [{"input": f"{i} {i * 7}\n", "output": f"{i * 8}\n"} for i in range(3, 13)]
    async with http.post(
        f"{target.base}/api/problems/{PLATFORM}/{IDENTIFIER}/test-cases",
        json={"test_cases": cases},
        headers=admin,
    ) as response:
        assert response.status == 201, await response.text()
    for n in range(USERS):
        async with http.post(target.base + "/api/auth/dev/", json={"email": f"load{n}@example.com"}) as r:
            assert r.status == 200, await r.text()
            signed_in = await r.json()
        target.tokens.append(signed_in["access_token"])
        target.owners.append(signed_in["user"]["user_id"])


def api_calls(target: Target, http: aiohttp.ClientSession) -> dict[str, Call]:
    problem_path = f"{target.base}/api/problems/{PLATFORM}/{IDENTIFIER}"
    body = {"platform": PLATFORM, "problem_identifier": IDENTIFIER, "language": "python"}
    body |= {"code": "a, b = map(int, input().split())\nprint(a + b)\n", "is_code_public": True}

    def signed_in(n: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {target.tokens[n % USERS]}"}

    async def get(url: str, headers: dict[str, str] | None = None) -> int:
        async with http.get(url, headers=headers) as response:
            await response.read()
            return 0 if response.status == 200 else response.status

    async def submit(n: int) -> int:
        async with http.post(target.base + "/api/execute/", json=body, headers=signed_in(n)) as response:
            await response.read()
            return 0 if response.status == 202 else response.status

    return {
        "problem": lambda n: get(problem_path),
        "samples": lambda n: get(problem_path + "/samples", signed_in(n)),
        "history": lambda n: get(f"{target.base}/api/submissions/mine?limit={HISTORY_PAGE}", signed_in(n)),
        "feed": lambda n: get(f"{target.base}/api/submissions/public?limit={HISTORY_PAGE}"),
        "submit": submit,
    }


def raw_calls(client, target: Target) -> dict[str, Call]:
    table = target.table
    problem_key = {k: {"S": v} for k, v in keys.problem_key(PLATFORM, IDENTIFIER).items()}
    pk = keys.problem_pk(PLATFORM, IDENTIFIER)

    async def get_item(n: int) -> int:
        return 0 if "Item" in await client.get_item(TableName=table, Key=problem_key) else 404

    async def samples(n: int) -> int:
        response = await client.query(
            TableName=table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": keys.test_case_sk("s")}},
        )
        return 0 if response["Count"] else 404

    async def history_page(index: str, partition: str) -> int:
        response = await client.query(
            TableName=table,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk",
            ExpressionAttributeValues={":pk": {"S": partition}},
            ScanIndexForward=False,
            Limit=HISTORY_PAGE,
        )
        return 0 if response["Count"] == HISTORY_PAGE else 404

    async def update_item(n: int) -> int:
        await client.update_item(
            TableName=table,
            Key={"PK": {"S": f"LOAD#{n % USERS}"}, "SK": {"S": "execute#raw"}},
            UpdateExpression="ADD #c :one",
            ExpressionAttributeNames={"#c": "c"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return 0

    return {
        "problem": get_item,
        "samples": samples,
        "history": lambda n: history_page(keys.GSI1, keys.USER_HISTORY_PREFIX + target.owners[n % USERS]),
        "feed": lambda n: history_page(keys.GSI2, keys.PUBLIC_HISTORY),
        "submit": update_item,
    }


@contextlib.contextmanager
def checkout(rev: str):
    """``rev`` in a temporary detached worktree (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="algoitny-load-ref-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), rev], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)], check=False)


async def start_api(target: Target, env: dict[str, str], logs: Path, api_workers: int | None) -> None:
    target.port = free_port()
    argv = [sys.executable, "-m", "algoitny.cli", "api", "--port", str(target.port)]
    if api_workers:
        argv += ["--workers", str(api_workers)]
    target.child = await ChildProcess.start(
        f"api ({target.name})", argv, log_path=logs / f"api-{target.name}.log", env=env
    )
    await wait_listening(target.child, target.port)


async def main(args: argparse.Namespace, logs: Path, ref_source: Path | None) -> dict:
    dynamodb_port, redis_port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{dynamodb_port}"
    targets = [Target("new", REPO, "load_new", 0)]
    if ref_source is not None:
        targets.insert(0, Target("ref", ref_source, "load_ref", 1))
    children: list[ChildProcess] = []
    try:
        dynamodb = await start_dynamodb(dynamodb_port, data_dir=None, log_path=logs / "dynamodb.log")
        children.append(dynamodb)
        children.append(await start_redis(redis_port, data_dir=None, log_path=logs / "redis.log"))
        async with open_dynamodb(TableSettings(endpoint_url=endpoint)) as client:
            for target in targets:
                await migrate(client, target.table)
        for target in targets:
            workers = args.api_workers if target.name == "new" else None
            env = api_env(target, endpoint, redis_port)
            if target.name == "new":
                env |= dict(setting.split("=", 1) for setting in args.new_env)
            await start_api(target, env, logs, workers)
            assert target.child is not None
            children.append(target.child)
            from redis.asyncio import Redis

            async with Redis.from_url(f"redis://127.0.0.1:{redis_port}/{target.redis_db}") as redis:
                stand_in = WorkerAnnouncement("load-stand-in", ("python",), 2, 4, "load")
                await announce(redis, "algoitny:queue", stand_in, ttl_s=24 * 3600)
        max_level = max(args.levels)
        # Idle connections are dropped before uvicorn's 5 s keep-alive closes them: reusing one
        # the server is closing fails the request ("Can not write request body").
        connector = aiohttp.TCPConnector(limit=max_level, limit_per_host=max_level, keepalive_timeout=2)
        session = aioboto3.Session()
        raw_config = Config(max_pool_connections=max_level, retries={"mode": "standard"})
        async with (
            aiohttp.ClientSession(connector=connector) as http,
            session.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
                config=raw_config,
            ) as raw,
        ):
            calls: dict[str, dict[str, Call]] = {}
            for target in targets:
                await seed(target, http)
                calls[target.name] = api_calls(target, http)
                # History for every user and the feed; doubles as the warm-up of each route.
                await run_step(calls[target.name]["submit"], SEED_SUBMISSIONS, 16, {"api": None, "db": 1})
                for kind in KINDS:
                    await run_step(calls[target.name][kind], 50, 8, {"api": None, "db": 1})
            calls["raw"] = raw_calls(raw, targets[-1])
            for kind in KINDS:
                await run_step(calls["raw"][kind], 50, 8, {"api": None, "db": 1})
            steps: dict[str, dict[str, dict[str, dict]]] = {kind: {} for kind in args.kinds}
            if args.py_spy:
                profiler = await start_profiler(targets[-1], args.py_spy)
            names = [target.name for target in targets]
            runs: dict[tuple[str, int], list[dict[str, dict]]] = {}
            for sweep in range(args.repeat):
                for level in args.levels:
                    total = max(args.requests, 3 * level)
                    for kind in args.kinds:
                        row: dict[str, dict] = {}
                        for target in targets:
                            pids = {"api": target.child.process.pid if target.child else None}
                            pids["db"] = dynamodb.process.pid
                            row[target.name] = (
                                await run_step(calls[target.name][kind], total, level, pids)
                            ).json()
                        pids = {"api": None, "db": dynamodb.process.pid}
                        row["raw"] = (await run_step(calls["raw"][kind], total, level, pids)).json()
                        runs.setdefault((kind, level), []).append(row)
                        say_step(
                            kind, level, row, names, f"{sweep + 1}/{args.repeat} " if args.repeat > 1 else ""
                        )
            for (kind, level), rows in runs.items():
                steps[kind][str(level)] = median_row(rows, names)
            if args.repeat > 1:
                for kind in args.kinds:
                    for level in args.levels:
                        say_step(kind, level, steps[kind][str(level)], names, "median ")
        if args.py_spy:
            profiler.send_signal(signal.SIGINT)
            await profiler.wait()
        failed = [child.name for child in children if not child.running]
        assert not failed, f"died during the run: {failed}"
    except BaseException:
        for child in children:
            print(f"--- {child.name} log tail ---\n{child.log_tail()}", file=sys.stderr)
        raise
    finally:
        for child in reversed(children):
            await child.stop()
    return {"steps": steps, "targets": [t.name for t in targets]}


async def start_profiler(target: Target, out: str) -> asyncio.subprocess.Process:
    """py-spy sampling the new API for the measured steps (collapsed stacks, for flame graphs)."""
    assert target.child is not None
    py_spy = Path(sys.executable).with_name("py-spy")
    argv = [str(py_spy), "record", "--pid", str(target.child.process.pid), "--rate", "250"]
    argv += ["--format", "raw", "--subprocesses", "--nonblocking", "-o", out]
    process = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(1)  # attached
    return process


def median_row(rows: list[dict[str, dict]], names: list[str]) -> dict:
    """Per caller, the repeat with the median req/s (its p50/p99 and CPU shares with it),
    plus every repeat's req/s; the API/raw ratios are of those medians."""
    row: dict = {}
    for name in [*names, "raw"]:
        by_rps = sorted((r[name] for r in rows), key=lambda step: step["rps"])
        row[name] = {**by_rps[(len(by_rps) - 1) // 2], "rps_runs": [r[name]["rps"] for r in rows]}
        if len(by_rps) % 2 == 0:  # an even count: the mean of the middle two req/s
            row[name]["rps"] = round(
                (by_rps[len(by_rps) // 2 - 1]["rps"] + by_rps[len(by_rps) // 2]["rps"]) / 2, 1
            )
    for name in names:
        row[f"{name}_over_raw"] = round(row[name]["rps"] / row["raw"]["rps"], 3)
    return row


def say_step(kind: str, level: int, row: dict, names: list[str], label: str = "") -> None:
    parts = []
    for name in [*names, "raw"]:
        s = row[name]
        cpu = f"cpu drv {s['driver_cpu']} api {s.get('api_cpu', '-')} db {s['db_cpu']} host {s['host_cpu']}"
        parts.append(
            f"{name} {s['rps']:7.1f}/s p50 {s['p50_ms']:7.1f} p99 {s['p99_ms']:7.1f} err {s['statuses'] or 0} ({cpu})"
        )
    print(
        f"{label}{kind:8s} c={level:<4d} load {row['raw']['load_avg']:5.2f} | " + " | ".join(parts),
        flush=True,
    )


def targets_met(result: dict, name: str, levels: list[int]) -> dict:
    steps = result["steps"]
    met: dict = {}
    if 16 in levels:
        met["no_collapse"] = {
            kind: all(
                steps[kind][str(level)][name]["rps"] >= steps[kind]["16"][name]["rps"]
                for level in levels
                if level > 16
            )
            for kind in steps
        }
    if "problem" in steps and "64" in steps["problem"]:
        problem = steps["problem"]["64"]
        met["problem_64_ge_0.8_raw"] = problem[f"{name}_over_raw"] >= 0.8
        met["problem_64_p99_le_250ms"] = problem[name]["p99_ms"] <= 250
    if "submit" in steps:
        submit = steps["submit"]
        if "1" in submit:
            met["submit_sequential_p50_le_15ms"] = submit["1"][name]["p50_ms"] <= 15
        if "64" in submit:
            met["submit_64_ge_150rps"] = submit["64"][name]["rps"] >= 150
    return met


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare-ref", help="also run this git revision's API, side by side")
    parser.add_argument("--levels", default="1,16,64,256", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--requests", type=int, default=300, help="per step (at least 3 × the level)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="sweep every level K times; figures are the medians"
    )
    parser.add_argument("--kinds", default=",".join(KINDS), type=lambda s: s.split(","))
    parser.add_argument("--py-spy", metavar="OUT", help="profile the new API with py-spy into OUT")
    parser.add_argument("--api-workers", type=int, help="`algoitny api --workers N` for the new code")
    parser.add_argument(
        "--new-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the new API only (A/B a setting against --compare-ref HEAD)",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        ref = stack.enter_context(checkout(args.compare_ref)) if args.compare_ref else None
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="algoitny-load-")))
        result = uvloop.run(main(args, logs, ref))
    result["targets_met"] = {name: targets_met(result, name, args.levels) for name in result["targets"]}
    result |= {"levels": args.levels, "requests_per_step": args.requests, "repeat": args.repeat}
    result["api_workers"] = args.api_workers
    result["cores"] = os.cpu_count()
    for name, met in result["targets_met"].items():
        print(f"targets ({name}): {json.dumps(met)}")
    print(json.dumps(result))
