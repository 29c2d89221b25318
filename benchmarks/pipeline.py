"""The judging pipeline end to end: POST /api/execute/ → first `test` event → `done`.

Starts DynamoDB Local (in memory), redis-server, the API and one worker (real
processes, free ports), creates a 10-test a+b problem over HTTP, then submits a
correct Python solution:

  (a) sequentially, N submissions one at a time on an idle worker
      (after one warm-up submission that is not counted);
  (b) 20 submissions at once.

For each submission a real WebSocket client (`websockets`) connects to the
returned path as soon as the POST answers; latencies run from just before the
POST is sent to the first `test` event and to `done`. Every submission must end
`done` with verdict AC after 10 `test` events.

DynamoDB requests are counted at the client: the API and the worker talk to a
counting reverse proxy run in this process, which forwards bodies and headers
unchanged (SigV4 signature and Host included; DynamoDB Local does not verify
signatures) and counts each request by its `X-Amz-Target`, and the items each
write request writes (a transaction's every item; write units follow items).
The stream indexer is not started: its statistics writes are off the request
path (docs/indexer.md says what it writes per finished submission).

Prints p50/p95 (nearest rank) of both latencies for (a) and (b), where the
time goes (p50 per stage), DynamoDB writes and requests per submission, and
whether the targets are met: p50 POST→first test ≤ 150 ms in (a), and at most
4 + ceil(10/25) = 5 table writes per submission. The last line is one JSON
object with those figures.

    .venv/bin/python benchmarks/pipeline.py [--sequential 20] [--concurrent 20]

``--c-throughput`` measures instead (issue 14) the submissions per minute of one client
through the whole service with one worker, each submission a C a+b judged on 50 tests
(each source different: a numbered comment), with warm boxes on and off (two service
starts in one run, side by side); its JSON line holds both figures and their ratio
(target ≥ 3× ~62/min, the figure before warm boxes), the p50 of when each event first
came, and the CPU per submission of each process tree (``_own``: the process itself).
``--compare-ref REV`` also starts that revision's service (a temporary ``git worktree``),
both up at once, submissions taking turns; its figures carry ``_ref``.

    .venv/bin/python benchmarks/pipeline.py --c-throughput [--c-tests 50] [--c-submissions 10]
        [--c-paths warm,cold] [--compare-ref REV]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web
from websockets.asyncio.client import connect as ws_connect

from algoitny.localstack import ChildProcess, free_port, start_dynamodb, start_redis, wait_listening
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.settings import TableSettings

REPO = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ADMIN_TOKEN = "bench-admin"
TABLE = "bench"
TESTS = 10
PROBLEM = {
    "platform": "custom",
    "problem_identifier": "pipeline-a-plus-b",
    "title": "A+B",
    "tags": ["math"],
    "status": "completed",  # released: submissions to drafts are private
}
SOLUTION = "a, b = map(int, input().split())\nprint(a + b)\n"
FIRST_TEST_TARGET_MS = 150
WRITES_TARGET = 4 + math.ceil(TESTS / 25)
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)
SETTLE_S = 0.5  # the daily statistics counter is written just after `done`
STAGES = ("post", "queued", "compiling", "compiled", "test", "done")  # when each first arrived


class CountingProxy:
    """A reverse proxy to DynamoDB Local that counts requests by operation (`X-Amz-Target`)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.counts: Counter[str] = Counter()
        self.items_written = 0  # items a write request puts, updates or deletes (a transaction's all)

    async def start(self, port: int) -> None:
        # No automatic headers and no decompression: what the SDK sent and got is what passes.
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()

    async def stop(self) -> None:
        await self.runner.cleanup()
        await self.session.close()

    async def forward(self, request: web.Request) -> web.Response:
        operation = request.headers.get("X-Amz-Target", "none").rpartition(".")[2]
        self.counts[operation] += 1
        body = await request.read()
        self.items_written += items_written(operation, body)
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        async with self.session.request(
            request.method, self.upstream + request.path_qs, data=body, headers=headers
        ) as upstream:
            payload = await upstream.read()
            kept = [
                (k, v)
                for k, v in upstream.headers.items()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
            ]
            return web.Response(status=upstream.status, body=payload, headers=kept)


def items_written(operation: str, body: bytes) -> int:
    if operation not in WRITE_OPERATIONS:
        return 0
    if operation == "TransactWriteItems":
        return len(json.loads(body)["TransactItems"])
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in json.loads(body)["RequestItems"].values())
    return 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def writes(operations: Counter[str]) -> int:
    return sum(n for op, n in operations.items() if op in WRITE_OPERATIONS)


async def submit_and_follow(
    http: aiohttp.ClientSession,
    ws_base: str,
    *,
    problem: dict = PROBLEM,
    language: str = "python",
    code: str = SOLUTION,
    test_count: int = TESTS,
) -> dict[str, float]:
    """One submission, followed live; returns when each stage was first seen (s after the POST)."""
    body = {
        "platform": problem["platform"],
        "problem_identifier": problem["problem_identifier"],
        "language": language,
        "code": code,
    }
    async with asyncio.timeout(120):
        started = time.perf_counter()
        async with http.post("/api/execute/", json=body) as response:
            assert response.status == 202, f"{response.status}: {await response.text()}"
            accepted = await response.json()
        marks = {"post": time.perf_counter() - started}
        tests: list[int] = []
        async with ws_connect(ws_base + accepted["websocket"]) as ws:
            async for message in ws:
                event = json.loads(message)
                marks.setdefault(event["type"], time.perf_counter() - started)
                if event["type"] == "test":
                    tests.append(event["index"])
                elif event["type"] == "done":
                    summary = event["summary"]
                    break
    task = accepted["task_id"]
    assert "done" in marks, f"{task}: the stream closed before `done`"
    assert summary["verdict"] == "AC" and summary["passed"] == test_count, f"{task}: {summary}"
    assert sorted(tests) == list(range(test_count)), f"{task}: test events {tests}"
    return marks


async def run_phase(proxy: CountingProxy, submissions) -> dict:
    """Awaits one phase's submissions; returns their samples and the DynamoDB requests made meanwhile."""
    before, items_before = proxy.counts.copy(), proxy.items_written
    samples = await submissions
    await asyncio.sleep(SETTLE_S)  # a submission's last writes may follow its `done`
    return {
        "samples": samples,
        "operations": proxy.counts - before,
        "items_written": proxy.items_written - items_before,
    }


async def sequential(http, ws_base, n: int, pause_s: float) -> list[dict[str, float]]:
    samples = []
    for _ in range(n):
        await asyncio.sleep(pause_s)  # let the worker finish the previous job: it is idle
        samples.append(await submit_and_follow(http, ws_base))
    return samples


async def concurrent(http, ws_base, n: int) -> list[dict[str, float]]:
    return list(await asyncio.gather(*(submit_and_follow(http, ws_base) for _ in range(n))))


async def create_problem(
    http: aiohttp.ClientSession, problem: dict = PROBLEM, test_count: int = TESTS
) -> None:
    rng = random.Random(1000)
    pairs = {(rng.randint(-(10**9), 10**9), rng.randint(-(10**9), 10**9)) for _ in range(test_count * 2)}
    cases = [{"input": f"{a} {b}\n", "output": f"{a + b}\n"} for a, b in sorted(pairs)[:test_count]]
    async with http.post("/api/problems", json=problem) as response:
        assert response.status == 201, await response.text()
    count = 0
    for start in range(0, len(cases), 10):  # small batches, retried: a loaded host times writes out
        for attempt in range(5):
            async with http.post(
                f"/api/problems/{problem['platform']}/{problem['problem_identifier']}/test-cases",
                json={"test_cases": cases[start : start + 10]},
            ) as response:
                if response.status == 503 and attempt < 4:
                    await asyncio.sleep(1)
                    continue
                assert response.status == 201, await response.text()
                count = (await response.json())["test_case_count"]
                break
    assert count == test_count, count


@contextlib.asynccontextmanager
async def service(logs: Path, extra_env: dict[str, str] | None = None):
    """DynamoDB Local, redis-server, the API and one worker; yields (base, ws_base, proxy, children)."""
    dynamodb_port, redis_port, proxy_port, api_port = free_port(), free_port(), free_port(), free_port()
    endpoint, proxied = f"http://127.0.0.1:{dynamodb_port}", f"http://127.0.0.1:{proxy_port}"
    env = {
        **os.environ,
        "ALGOITNY_TABLE__NAME": TABLE,
        "ALGOITNY_TABLE__ENDPOINT_URL": proxied,
        "ALGOITNY_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "ALGOITNY_ADMIN_TOKEN": ADMIN_TOKEN,
        "ALGOITNY_QUOTA__ANONYMOUS_EXECUTIONS": "1000000",
        **(extra_env or {}),
    }
    children: list[ChildProcess] = []
    proxy = CountingProxy(endpoint)
    try:
        children.append(await start_dynamodb(dynamodb_port, data_dir=None, log_path=logs / "dynamodb.log"))
        children.append(await start_redis(redis_port, data_dir=None, log_path=logs / "redis.log"))
        async with open_dynamodb(TableSettings(endpoint_url=endpoint)) as client:
            await migrate(client, TABLE)
        await proxy.start(proxy_port)
        async with open_dynamodb(TableSettings(endpoint_url=proxied)) as client:  # signed, through the proxy
            assert TABLE in (await client.list_tables())["TableNames"] and proxy.counts["ListTables"] == 1
        for name, command in (("worker", ["worker"]), ("api", ["api", "--port", str(api_port)])):
            children.append(
                await ChildProcess.start(
                    name,
                    [sys.executable, "-m", "algoitny.cli", *command],
                    log_path=logs / f"{name}.log",
                    env=env,
                )
            )
        await wait_listening(children[-1], api_port)
        yield f"http://127.0.0.1:{api_port}", f"ws://127.0.0.1:{api_port}", proxy, children
        failed = [child.name for child in children if not child.running]
        assert not failed, f"died during the run: {failed}"
    except BaseException:
        for child in children:
            print(
                f"--- {child.name} log tail ---\n{await asyncio.to_thread(child.log_tail)}", file=sys.stderr
            )
        raise
    finally:
        for child in reversed(children):
            await child.stop()
        await proxy.stop()


async def ready(http: aiohttp.ClientSession) -> None:
    for _ in range(600):  # submissions get 503 no_worker until the worker announces itself
        if (await (await http.get("/health/ready")).json()).get("workers_alive"):
            return
        await asyncio.sleep(0.1)


async def main(args: argparse.Namespace, logs: Path) -> dict:
    async with service(logs) as (base, ws_base, proxy, _):
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        async with aiohttp.ClientSession(base, headers=admin) as http:
            await create_problem(http)
            await ready(http)
        async with aiohttp.ClientSession(base) as http:  # submissions are anonymous, like a visitor's
            warmup = await submit_and_follow(http, ws_base)
            await asyncio.sleep(SETTLE_S)  # its writes after `done` are not the next phase's
            seq = await run_phase(proxy, sequential(http, ws_base, args.sequential, args.pause))
            await asyncio.sleep(args.pause)
            conc = await run_phase(proxy, concurrent(http, ws_base, args.concurrent))
    return {"warmup": warmup, "seq": seq, "conc": conc}


C_PROBLEM = {**PROBLEM, "problem_identifier": "pipeline-c-50", "title": "A+B in C"}
C_SOLUTION = (
    '#include <stdio.h>\nint main(void) { long long a, b; if (scanf("%lld %lld", &a, &b) != 2) return 1;\n'
    '  printf("%lld\\n", a + b); return 0; }\n'
)


def c_source(n: int) -> str:
    """The n-th submission's source: the same program, a different text (nothing is a repeat)."""
    return f"/* submission {n} */\n{C_SOLUTION}"


async def follow_c(client: tuple[aiohttp.ClientSession, str], n: int, test_count: int) -> dict[str, float]:
    http, ws_base = client
    return await submit_and_follow(
        http, ws_base, problem=C_PROBLEM, language="c", code=c_source(n), test_count=test_count
    )


async def c_throughput(args: argparse.Namespace, logs: Path, ref: Path | None) -> dict:
    """Submissions per minute, one client, one worker, a 50-test C problem: warm and cold.

    For each path (``ALGOITNY_EXECUTOR_WARM=1``, ``=0``) the service is started once per
    code version (this tree; with ``--compare-ref``, that revision too, both up at once);
    each does a warm-up submission, then ``--c-submissions`` back to back, the versions
    taking turns submission by submission so that both see the same machine. Every
    source differs from the others (a numbered comment): nothing is a repeat.
    """
    out: dict = {}
    versions = {"new": None} if ref is None else {"ref": ref, "new": None}
    counter = iter(range(1_000_000))
    for path in args.c_paths:
        flag = "1" if path == "warm" else "0"
        async with contextlib.AsyncExitStack() as stack:
            clients = {}
            pids: dict[str, dict[str, int]] = {}
            for version, source in versions.items():
                env = {"ALGOITNY_EXECUTOR_WARM": flag}
                if source is not None:
                    env["PYTHONPATH"] = str(source / "src")
                (logs / path / version).mkdir(parents=True)
                base, ws_base, _, children = await stack.enter_async_context(
                    service(logs / path / version, env)
                )
                pids[version] = {child.name: child.process.pid for child in children}
                admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
                async with aiohttp.ClientSession(base, headers=admin) as http:
                    await create_problem(http, C_PROBLEM, args.c_tests)
                    await ready(http)
                http = await stack.enter_async_context(aiohttp.ClientSession(base))
                clients[version] = (http, ws_base)

            done: dict[str, list[dict[str, float]]] = {version: [] for version in versions}
            elapsed = dict.fromkeys(versions, 0.0)
            cpu: dict[str, Counter[str]] = {version: Counter() for version in versions}
            for version in versions:
                await follow_c(clients[version], next(counter), args.c_tests)  # warm-up, not counted
            for _ in range(args.c_submissions):
                for version in versions:
                    cpu_before = tree_cpu_s(pids[version])  # read outside the timed span
                    started = time.perf_counter()
                    done[version].append(await follow_c(clients[version], next(counter), args.c_tests))
                    elapsed[version] += time.perf_counter() - started
                    cpu[version] += tree_cpu_s(pids[version])
                    cpu[version] -= cpu_before
        for version in versions:
            prefix = f"c{args.c_tests}_{path}" + ("" if version == "new" else "_ref")
            out[f"{prefix}_per_min"] = round(args.c_submissions / elapsed[version] * 60, 1)
            for stage in STAGES[1:]:  # where the time goes: p50 of when each event first came
                out[f"{prefix}_{stage}_p50_ms"] = ms(percentile([d[stage] for d in done[version]], 50))
            for name, seconds in sorted(cpu[version].items()):  # CPU per submission, by process tree
                out[f"{prefix}_cpu_ms_{name}"] = ms(seconds / args.c_submissions)
            print(f"{args.c_tests}-test C, {path}, {version}: {out[f'{prefix}_per_min']} submissions/min")
    if {"warm", "cold"} <= set(args.c_paths):
        out[f"c{args.c_tests}_warm_over_cold"] = round(
            out[f"c{args.c_tests}_warm_per_min"] / out[f"c{args.c_tests}_cold_per_min"], 2
        )
    if ref is not None:
        for path in args.c_paths:
            prefix = f"c{args.c_tests}_{path}"
            out[f"{prefix}_new_over_ref"] = round(out[f"{prefix}_per_min"] / out[f"{prefix}_ref_per_min"], 2)
    out["load_1m"] = round(os.getloadavg()[0], 2)
    return out


def tree_cpu_s(roots: dict[str, int]) -> Counter[str]:
    """CPU seconds (user + system) of each root's process tree: the live processes' own and
    what they reaped (a worker's compiles, its warm boxes' runs)."""
    parents, times, own = {}, {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rindex(")") + 2 :].split()
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(f) for f in fields[11:15]) / CLOCK_TICKS
        own[pid] = sum(int(f) for f in fields[11:13]) / CLOCK_TICKS
    out: Counter[str] = Counter()
    for pid, seconds in times.items():
        ancestor = pid
        while ancestor > 1:
            for name, root in roots.items():
                if ancestor == root:
                    out[name] += seconds
                    if pid == root:  # the process itself, without its children
                        out[f"{name}_own"] += own[pid]
                    break
            else:
                ancestor = parents.get(ancestor, 0)
                continue
            break
    return out


@contextlib.contextmanager
def checkout(rev: str):
    """``rev`` in a temporary detached worktree (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix="algoitny-pipeline-ref-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), rev], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)], check=False)


def figures(result: dict) -> dict:
    out: dict = {
        "warmup_first_test_ms": ms(result["warmup"]["test"]),
        "warmup_done_ms": ms(result["warmup"]["done"]),
    }
    all_operations: Counter[str] = Counter()
    all_items = 0
    for key in ("seq", "conc"):
        samples, operations = result[key]["samples"], result[key]["operations"]
        all_operations += operations
        all_items += result[key]["items_written"]
        out[f"{key}_items_written_per_submission"] = round(result[key]["items_written"] / len(samples), 2)
        for stage, label in (("test", "first_test"), ("done", "done")):
            out[f"{key}_{label}_p50_ms"] = ms(percentile([sample[stage] for sample in samples], 50))
            out[f"{key}_{label}_p95_ms"] = ms(percentile([sample[stage] for sample in samples], 95))
        # Where the time goes: p50 of when each kind of event was first seen, from the POST.
        out[f"{key}_stage_p50_ms"] = {
            stage: ms(percentile([s[stage] for s in samples], 50)) for stage in STAGES
        }
        out[f"{key}_writes_per_submission"] = round(writes(operations) / len(samples), 2)
        out[f"{key}_requests_per_submission"] = round(operations.total() / len(samples), 2)
        out[f"{key}_operations_per_submission"] = {
            op: round(n / len(samples), 2) for op, n in sorted(operations.items())
        }
    total = len(result["seq"]["samples"]) + len(result["conc"]["samples"])
    out |= {
        "writes_per_submission": round(writes(all_operations) / total, 2),
        "items_written_per_submission": round(all_items / total, 2),
        "requests_per_submission": round(all_operations.total() / total, 2),
        "submissions_seq": len(result["seq"]["samples"]),
        "submissions_conc": len(result["conc"]["samples"]),
        "tests_per_submission": TESTS,
    }
    out["first_test_target_met"] = out["seq_first_test_p50_ms"] <= FIRST_TEST_TARGET_MS
    out["writes_target_met"] = (
        max(out["seq_writes_per_submission"], out["conc_writes_per_submission"]) <= WRITES_TARGET
    )
    return out


def report(f: dict) -> None:
    print(f"warm-up (not counted): first test {f['warmup_first_test_ms']} ms, done {f['warmup_done_ms']} ms")
    for key, title in (
        ("seq", f"(a) sequential, {f['submissions_seq']} submissions"),
        ("conc", f"(b) concurrent, {f['submissions_conc']} submissions"),
    ):
        print(f"{title}:")
        for label, name in (("first test", "first_test"), ("done", "done")):
            print(
                f"    POST → {label:10s}  p50 {f[f'{key}_{name}_p50_ms']:7.1f} ms  "
                f"p95 {f[f'{key}_{name}_p95_ms']:7.1f} ms"
            )
        print(
            "    p50 ms from the POST to the first event of each kind: "
            + ", ".join(f"{stage} {value}" for stage, value in f[f"{key}_stage_p50_ms"].items())
        )
        print(
            f"    DynamoDB per submission: {f[f'{key}_writes_per_submission']} writes "
            f"({f[f'{key}_items_written_per_submission']} items), "
            f"{f[f'{key}_requests_per_submission']} requests {f[f'{key}_operations_per_submission']}"
        )
    print(
        f"target p50 POST → first test ≤ {FIRST_TEST_TARGET_MS} ms in (a): {f['seq_first_test_p50_ms']} ms — "
        f"{'met' if f['first_test_target_met'] else 'NOT met'}"
    )
    print(
        f"target table writes per submission ≤ {WRITES_TARGET}: (a) {f['seq_writes_per_submission']}, "
        f"(b) {f['conc_writes_per_submission']} — {'met' if f['writes_target_met'] else 'NOT met'}"
    )
    print(json.dumps(f))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sequential", type=int, default=20, help="submissions in (a), one at a time")
    parser.add_argument("--concurrent", type=int, default=20, help="submissions in (b), all at once")
    parser.add_argument("--pause", type=float, default=0.2, help="idle seconds before each submission of (a)")
    parser.add_argument(
        "--c-throughput", action="store_true", help="instead: 50-test C submissions/min, warm vs cold"
    )
    parser.add_argument("--c-tests", type=int, default=50)
    parser.add_argument("--c-submissions", type=int, default=10)
    parser.add_argument(
        "--c-paths",
        default="warm,cold",
        type=lambda s: s.split(","),
        help="of --c-throughput: warm, cold or both",
    )
    parser.add_argument("--compare-ref", help="of --c-throughput: also run this git revision, side by side")
    parsed = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="algoitny-pipeline-") as logs:
        if parsed.c_throughput:
            with contextlib.ExitStack() as stack:
                ref = stack.enter_context(checkout(parsed.compare_ref)) if parsed.compare_ref else None
                print(json.dumps(asyncio.run(c_throughput(parsed, Path(logs), ref))))
        else:
            report(figures(asyncio.run(main(parsed, Path(logs)))))
