"""Problem search with the FTS5 backend: indexing throughput, freshness, query latency.

Starts DynamoDB Local (in memory), creates ``--table-problems`` problems through the real
``ProblemRepository`` (Korean and English titles, Baekjoon/Codeforces/AtCoder
identifiers, tags) and reads their META items back as the stream hands them over. The
rest of the ``--problems`` (default 100,000) are made from those real images with other
identifiers, titles and tags (writing 100k problems into DynamoDB Local alone takes
longer than the whole benchmark). All of them go to the index the way the stream
consumer delivers them: ``SearchSink.apply`` in batches of 1,000 change records (a
GetRecords page), into an FTS5 file in a temporary directory.

Figures:

- indexing throughput: change records applied per second (whole load, wall clock);
- freshness (create → visible in search), p50/p95 over ``--stream-samples`` problems:
  ``ProblemRepository.create`` into a second DynamoDB Local table, its stream, a real
  ``algoitny indexer`` (``run_indexer``) writing an FTS5 file, polled with searches;
- ``sink_to_visible_ms``: from handing one new problem's record to the sink to finding it
  with a search (the index's share of freshness), p50/p95;
- query latency of a mixed query set (exact identifiers, identifier prefixes, Korean
  substrings of 1-3 syllables, Korean words, English prefixes and words, two-word
  queries, tag and platform filters, an admin's view), measured in-process around
  ``SearchIndex.search`` (thread hop included, HTTP not), p50/p99 after a warm-up.

Targets: query p50 ≤ 5 ms at 100k problems; freshness p95 ≤ 1 s. The last line is one
JSON object.

    .venv/bin/python benchmarks/search.py [--problems 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from algoitny.domain import Problem
from algoitny.indexer.records import ChangeRecord
from algoitny.localstack import free_port, start_dynamodb
from algoitny.migrate import migrate
from algoitny.resources import open_dynamodb
from algoitny.search import SearchQuery, SearchSink
from algoitny.search.fts import Fts5Index
from algoitny.search.text import terms
from algoitny.settings import TableSettings
from algoitny.table import CursorCodec, ProblemRepository, Table, keys
from algoitny.table.codec import PROBLEM

TABLE = "bench-search"
BATCH = 1000
QUERY_P50_TARGET_MS = 5.0
FRESHNESS_P95_TARGET_MS = 1000.0

KOREAN = (
    "최단 경로 구하기 트리 그래프 수열 정렬 이분 탐색 문자열 최대 최소 개수 게임 동전 계단 오르기 스택 큐 덱 "
    "배열 돌리기 연산 괄호 회의실 배정 나머지 소수 찾기 숫자 카드 로봇 청소기 미로 전쟁 토마토 섬 단지 번호 "
    "붙이기 바이러스 퇴사 연구소 치킨 배달 감시 사다리 조작 주사위 굴리기 경사로 톱니바퀴 아기 상어 마법사 "
    "파이어볼 상자 넣기 가장 긴 증가하는 부분 수열 합 구간 곱 거리 두 용액 세 직사각형 점 선분 교차 다각형 "
    "넓이 행렬 제곱 피보나치 조합 순열 외판원 순회 벽 부수고 이동하기 숨바꼭질 나이트 이동 보물섬 빙산 치즈"
).split()
ENGLISH = (
    "binary search tree graph shortest path queries sum array string game minimum maximum subsequence "
    "palindrome matrix permutation divisors prime segment coloring flow cut dragon sheep arranging robot "
    "maze counting beautiful strings points lines polygon area circle triangle tokens boxes candies "
    "stones coins towers bridges islands cities roads trains teams contest ranking xor swap reverse "
    "rotate split merge sort median mode kth zero guess interactive painting fence garden river"
).split()
TAGS = (
    "math dp greedy graphs trees strings implementation bruteforce sortings binary-search dfs bfs "
    "shortest-paths data-structures segment-tree number-theory combinatorics geometry bitmasks "
    "two-pointers constructive games hashing dsu flows interactive probabilities matrices"
).split()


def _korean_title(rng: random.Random) -> str:
    words = rng.sample(KOREAN, rng.randint(1, 4))
    if len(words) > 1 and rng.random() < 0.4:  # Korean titles often run words together
        words = ["".join(words[:2]), *words[2:]]
    return " ".join(words)


def _english_title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in rng.sample(ENGLISH, rng.randint(2, 4)))


def make_problem(n: int, rng: random.Random) -> Problem:
    kind = rng.random()
    if kind < 0.6:
        platform, identifier, title = "baekjoon", str(1000 + n), _korean_title(rng)
    elif kind < 0.9:
        platform, identifier = "codeforces", f"{1 + n // 6}{'ABCDEF'[n % 6]}"
        title = _english_title(rng)
    else:
        platform, identifier = "atcoder", f"abc{n // 6}_{'abcdef'[n % 6]}"
        title = _english_title(rng) if rng.random() < 0.5 else _korean_title(rng)
    return Problem(
        platform=platform,
        identifier=identifier,
        title=title,
        tags=rng.sample(TAGS, rng.randint(1, 3)),
        statement=f"{title}. " * 5,
        status="completed" if rng.random() < 0.95 else "draft",
    )


def record(image: dict, sequence: int) -> ChangeRecord:
    return ChangeRecord(
        event="INSERT",
        keys={"PK": image["PK"], "SK": image["SK"]},
        old=None,
        new=image,
        sequence=str(sequence),
        shard_id="shardId-bench",
        created_at=datetime.now(UTC),
    )


def image_like(template: dict, problem: Problem, created_ms: int) -> dict:
    """A META image shaped exactly like ``template`` (a real one), for another problem."""
    image = dict(template)
    image |= {
        "PK": keys.problem_pk(problem.platform, problem.identifier),
        PROBLEM.short("platform"): problem.platform,
        PROBLEM.short("identifier"): problem.identifier,
        PROBLEM.short("title"): problem.title,
        PROBLEM.short("tags"): list(problem.tags),
        PROBLEM.short("statement"): problem.statement,
        PROBLEM.short("status"): problem.status,
        PROBLEM.short("created_at"): created_ms,
        PROBLEM.short("updated_at"): created_ms,
        **keys.problem_list_keys(problem.platform, problem.identifier, created_ms),
    }
    return image


async def real_images(count: int, problems: list[Problem]) -> list[dict]:
    """``count`` problems written by the real repository, read back as stream images."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    port = free_port()
    dynamodb = await start_dynamodb(port, data_dir=None)
    try:
        async with open_dynamodb(TableSettings(endpoint_url=f"http://127.0.0.1:{port}")) as client:
            await migrate(client, TABLE)
            table = Table(client, TABLE)
            repository = ProblemRepository(table, CursorCodec("bench"))
            gate = asyncio.Semaphore(16)

            async def one(problem: Problem) -> dict:
                async with gate:
                    await repository.create(problem)
                    item = await table.get(keys.problem_key(problem.platform, problem.identifier))
                assert item is not None
                return {k: deserializer.deserialize(v) for k, v in item.items()}

            return list(await asyncio.gather(*(one(p) for p in problems[:count])))
    finally:
        await dynamodb.stop()


async def stream_freshness(samples: int, directory: Path) -> list[float]:
    """Create → findable, the way the service does it: ``ProblemRepository.create`` into
    DynamoDB Local, its stream, a real ``algoitny indexer`` (``run_indexer``) feeding the FTS5
    file, and a search of that file. The first problem (shard discovery) is not counted."""
    from algoitny.indexer.run import run_indexer
    from algoitny.search import open_search_index
    from algoitny.settings import IndexerSettings, SearchSettings, Settings

    port = free_port()
    dynamodb = await start_dynamodb(port, data_dir=None)
    table_settings = TableSettings(name=f"{TABLE}-fresh", endpoint_url=f"http://127.0.0.1:{port}")
    settings = Settings(
        table=table_settings,
        search=SearchSettings(path=directory / "fresh.sqlite3"),
        indexer=IndexerSettings(poll_interval_s=0.05, discover_interval_s=0.2),
    )
    rng = random.Random(5)
    visible: list[float] = []
    try:
        async with open_dynamodb(table_settings) as client:
            await migrate(client, table_settings.name)
            repository = ProblemRepository(Table(client, table_settings.name), CursorCodec("bench"))
            stop = asyncio.Event()
            indexer = asyncio.create_task(run_indexer(settings, stop))
            try:
                async with open_search_index(settings.search, create=True) as index:
                    for n in range(samples + 1):
                        problem = make_problem(10**6 + n, rng)
                        problem.status = "completed"
                        problem.title = f"신선도 stream{n}"
                        began = time.perf_counter()
                        await repository.create(problem)
                        while not (await index.search(SearchQuery(terms=(f"stream{n}",)))).hits:
                            if indexer.done() or time.perf_counter() - began > 60:
                                raise AssertionError(f"stream{n} not searchable after 60 s")
                            await asyncio.sleep(0.005)
                        if n:
                            visible.append((time.perf_counter() - began) * 1000)
            finally:
                stop.set()
                await asyncio.wait_for(indexer, 30)
    finally:
        await dynamodb.stop()
    return visible


def query_set(rng: random.Random, problems: list[Problem], count: int) -> list[SearchQuery]:
    sample = rng.sample(problems, min(len(problems), 500))
    makers = [
        lambda p: SearchQuery(terms=tuple(terms(p.identifier))),  # exact identifier
        lambda p: SearchQuery(terms=(terms(p.identifier)[0][:3],)),  # identifier as you type
        lambda p: SearchQuery(terms=(rng.choice(KOREAN)[:2],)),  # Korean substring, 1-2 syllables
        lambda p: SearchQuery(terms=(rng.choice(KOREAN),)),  # a Korean word
        lambda p: SearchQuery(terms=(rng.choice(ENGLISH)[:3],)),  # English prefix as you type
        lambda p: SearchQuery(terms=(rng.choice(ENGLISH),)),  # an English word
        lambda p: SearchQuery(terms=tuple(terms(p.title))[:2]),  # two words of a real title
        lambda p: SearchQuery(terms=(rng.choice(ENGLISH)[:4],), tag=rng.choice(TAGS)),
        lambda p: SearchQuery(terms=(rng.choice(KOREAN),), platform="baekjoon"),
        lambda p: SearchQuery(terms=(rng.choice(ENGLISH),), include_hidden=True),  # an admin
    ]
    return [makers[i % len(makers)](sample[i % len(sample)]) for i in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def main(args: argparse.Namespace) -> dict:
    rng = random.Random(11)
    problems = [make_problem(n, rng) for n in range(args.problems)]
    real = await real_images(min(args.table_problems, len(problems)), problems)
    template = real[0]
    base_ms = int(time.time() * 1000) - len(problems)
    images = real + [image_like(template, p, base_ms + n) for n, p in enumerate(problems) if n >= len(real)]
    sequence = itertools.count(10**20)
    records = [record(image, next(sequence)) for image in images]

    with tempfile.TemporaryDirectory(prefix="algoitny-search-bench-") as directory:
        path = Path(directory) / "search.sqlite3"
        index = Fts5Index(path)
        await index.ensure()
        sink = SearchSink(index)
        started = time.perf_counter()
        for start in range(0, len(records), BATCH):
            await sink.apply(records[start : start + BATCH])
        load_s = time.perf_counter() - started
        assert await index.count() == len(records)

        visible_ms = []
        for n in range(args.freshness_samples):
            problem = make_problem(len(problems) + n, rng)
            problem.status = "completed"
            problem.title = f"신선도 측정 fresh{n}"
            image = image_like(template, problem, int(time.time() * 1000))
            began = time.perf_counter()
            await sink.apply([record(image, next(sequence))])
            result = await index.search(SearchQuery(terms=(f"fresh{n}",)))
            assert [h.problem.identifier for h in result.hits] == [problem.identifier]
            visible_ms.append((time.perf_counter() - began) * 1000)

        queries = query_set(rng, problems, args.queries)
        for query in queries[:200]:  # warm-up: page cache, prepared statements
            await index.search(query)
        latencies, found = [], 0
        for query in queries:
            began = time.perf_counter()
            result = await index.search(query)
            latencies.append((time.perf_counter() - began) * 1000)
            found += bool(result.hits)
        await index.close()
        fresh_ms = await stream_freshness(args.stream_samples, Path(directory))
        index_mb = await asyncio.to_thread(lambda: sum(f.stat().st_size for f in Path(directory).iterdir()))
        index_mb /= 2**20

    query_p50 = statistics.median(latencies)
    return {
        "benchmark": "search",
        "backend": "fts5",
        "problems": len(records),
        "load_path": "SearchSink.apply in batches of 1000 change records: "
        f"{len(real)} problems created through ProblemRepository in DynamoDB Local and read back, "
        "the rest made from those real images; freshness goes through the table, its stream and "
        "a real indexer",
        "indexing_records_per_s": round(len(records) / load_s, 1),
        "load_s": round(load_s, 2),
        "index_mb": round(index_mb, 1),
        "freshness_ms": {
            "p50": round(percentile(fresh_ms, 0.5), 1),
            "p95": round(percentile(fresh_ms, 0.95), 1),
            "samples": len(fresh_ms),
        },
        "sink_to_visible_ms": {
            "p50": round(percentile(visible_ms, 0.5), 2),
            "p95": round(percentile(visible_ms, 0.95), 2),
            "samples": len(visible_ms),
        },
        "query_ms": {
            "p50": round(query_p50, 3),
            "p99": round(percentile(latencies, 0.99), 3),
            "max": round(max(latencies), 3),
            "queries": len(latencies),
            "with_hits": found,
        },
        "load_average_1m": round(os.getloadavg()[0], 1),  # the machine is shared: context for the figures
        "targets": {
            "query_p50_ms": QUERY_P50_TARGET_MS,
            "query_p50_met": query_p50 <= QUERY_P50_TARGET_MS,
            "freshness_p95_ms": FRESHNESS_P95_TARGET_MS,
            "freshness_p95_met": percentile(fresh_ms, 0.95) <= FRESHNESS_P95_TARGET_MS,
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--table-problems", type=int, default=300, help="created through the real table")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--freshness-samples", type=int, default=100, help="sink → visible")
    parser.add_argument("--stream-samples", type=int, default=50, help="create → visible through the stream")
    print(json.dumps(asyncio.run(main(parser.parse_args())), ensure_ascii=False))
