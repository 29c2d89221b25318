"""Search test fixtures: every backend behind one ``index`` fixture, and change records
made from real table items (the repositories write them to DynamoDB Local).

``index`` is parametrised over the backends, so the contract suite runs against each.
OpenSearch needs a real cluster: ``ALGOITNY_TEST_OPENSEARCH_URL``, or a Docker engine
for testcontainers. Without either it is skipped, saying so: the only skip here.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import aioboto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from algoitny.indexer.records import ChangeRecord
from algoitny.resources import dynamodb_client_kwargs
from algoitny.search import SearchIndex
from algoitny.search.fts import Fts5Index
from algoitny.settings import Settings
from algoitny.table import Table, keys

_deserializer = TypeDeserializer()
_sequence = itertools.count(10**20)


def plain(item: dict) -> dict:
    """A typed item → what the stream reader hands sinks (Decimal numbers, sets)."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def change_record(
    event: str, *, old: dict | None, new: dict | None, sequence: int | None = None
) -> ChangeRecord:
    image = new if new is not None else old
    assert image is not None
    return ChangeRecord(
        event=event,  # type: ignore[arg-type]
        keys={"PK": image["PK"], "SK": image["SK"]},
        old=old,
        new=new,
        sequence=str(sequence if sequence is not None else next(_sequence)),
        shard_id="shardId-test",
        created_at=datetime.now(UTC),
    )


async def problem_image(table: Table, platform: str, identifier: str) -> dict:
    item = await table.get(keys.problem_key(platform, identifier), consistent=True)
    assert item is not None
    return plain(item)


def _opensearch_target() -> tuple[str | None, str]:
    """The cluster URL, or why there is none."""
    url = os.environ.get("ALGOITNY_TEST_OPENSEARCH_URL")
    if url:
        return url, ""
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no engine to start a container on
        return None, (
            "OpenSearch backend not tested: ALGOITNY_TEST_OPENSEARCH_URL is unset and no Docker engine "
            f"answers for testcontainers ({type(exc).__name__}: {str(exc)[:120]})"
        )
    return "docker", ""


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    url, reason = _opensearch_target()
    if url is None:
        pytest.skip(reason)
    if url != "docker":
        yield url
        return
    from testcontainers.opensearch import OpenSearchContainer

    with OpenSearchContainer("opensearchproject/opensearch:2.17.1") as container:
        config = container.get_config()
        yield f"http://{config['host']}:{config['port']}"


@pytest.fixture(params=["fts5", "opensearch"])
async def index(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[SearchIndex]:
    found: SearchIndex
    if request.param == "fts5":
        found = Fts5Index(tmp_path / "search.sqlite3")
    else:
        from algoitny.search.opensearch import OpenSearchIndex

        url = request.getfixturevalue("opensearch_url")
        found = OpenSearchIndex(url, index=f"t-{uuid.uuid4().hex[:12]}", refresh="wait_for")
    await found.ensure()
    try:
        yield found
    finally:
        if request.param == "opensearch":
            await found._client.indices.delete(index=found.index)  # type: ignore[attr-defined]
        await found.close()


@pytest.fixture
async def fts_index(tmp_path) -> AsyncIterator[Fts5Index]:
    found = Fts5Index(tmp_path / "search.sqlite3")
    await found.ensure()
    yield found
    await found.close()


async def read_stream(settings: Settings) -> list[ChangeRecord]:
    """Every record the table's stream holds now, shard by shard (parents first, as DynamoDB
    lists them), through the real DynamoDB Streams API. Small tables only: the indexer
    (``algoitny indexer``) is the real consumer, with checkpoints and leases."""
    session = aioboto3.Session()
    kwargs = dynamodb_client_kwargs(settings.table)
    async with (
        session.client("dynamodb", **kwargs) as dynamodb,
        session.client("dynamodbstreams", **kwargs) as streams,
    ):
        arn = (await dynamodb.describe_table(TableName=settings.table.name))["Table"]["LatestStreamArn"]
        shards = (await streams.describe_stream(StreamArn=arn))["StreamDescription"]["Shards"]
        records: list[ChangeRecord] = []
        for shard in shards:
            iterator = (
                await streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )
            )["ShardIterator"]
            while iterator:
                answer = await streams.get_records(ShardIterator=iterator, Limit=1000)
                for raw in answer["Records"]:
                    data = raw["dynamodb"]
                    records.append(
                        ChangeRecord(
                            event=raw["eventName"],
                            keys=plain(data["Keys"]),
                            old=plain(data["OldImage"]) if "OldImage" in data else None,
                            new=plain(data["NewImage"]) if "NewImage" in data else None,
                            sequence=data["SequenceNumber"],
                            shard_id=shard["ShardId"],
                            created_at=data["ApproximateCreationDateTime"],
                        )
                    )
                # An open shard keeps handing out iterators: stop once it has nothing more.
                iterator = answer.get("NextShardIterator") if answer["Records"] else None
        return records
