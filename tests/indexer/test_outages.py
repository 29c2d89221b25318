"""The indexer outlives a DynamoDB Local restart (on disk, as `algoitny run` keeps it)."""

from __future__ import annotations

import aioboto3

from algoitny.localstack import free_port, start_dynamodb
from algoitny.migrate import migrate
from algoitny.resources import dynamodb_client_kwargs, open_dynamodb
from algoitny.settings import TableSettings
from algoitny.table import CursorCodec, ProblemRepository, StatisticsRepository, SubmissionRepository, Table
from tests.indexer.helpers import Judged, finished, running_indexer, wait_counted

A = ("baekjoon", "1000")


async def test_the_indexer_outlives_a_dynamodb_local_restart(settings, tmp_path):
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    table_settings = TableSettings(name="restarts", endpoint_url=endpoint)
    settings.table = table_settings
    server = await start_dynamodb(port, data_dir=tmp_path / "dynamodb")
    try:
        async with (
            open_dynamodb(table_settings) as dynamodb,
            aioboto3.Session().client("dynamodbstreams", **dynamodb_client_kwargs(table_settings)) as streams,
        ):
            await migrate(dynamodb, table_settings.name)
            table = Table(dynamodb, table_settings.name)
            cursors = CursorCodec("c")
            problems, submissions = ProblemRepository(table, cursors), SubmissionRepository(table, cursors)
            statistics = StatisticsRepository(table)
            before = [
                Judged("ann", A, "python", verdict, 10**12 + n) for n, verdict in enumerate(["WA", "AC"])
            ]
            after = [
                Judged("ann", A, "python", verdict, 2 * 10**12 + n) for n, verdict in enumerate(["AC", "WA"])
            ]
            async with running_indexer(settings, dynamodb, streams, table, owner="one"):
                await finished(problems, submissions, before)
                await wait_counted(statistics, len(before))
                await server.stop()
                server = await start_dynamodb(port, data_dir=tmp_path / "dynamodb")
                await finished(problems, submissions, after)
                await wait_counted(statistics, len(before) + len(after))
            user = await statistics.get_user("ann")
            assert (user.submissions, user.accepted, user.problems_tried, user.problems_solved) == (
                4,
                2,
                1,
                1,
            )
    finally:
        await server.stop()
