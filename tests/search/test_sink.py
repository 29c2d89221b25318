"""``SearchSink`` fed with change records of real items: problems written by the real
repository to DynamoDB Local, their images read back (and, once, the real stream)."""

from __future__ import annotations

from algoitny.search import SearchQuery, SearchSink
from algoitny.search.fts import Fts5Index
from algoitny.table import ProblemRepository, Table, keys
from algoitny.table.codec import PROBLEM_TAG
from tests import factories
from tests.search.conftest import change_record, plain, problem_image, read_stream


async def titles(index: Fts5Index, text: str, *, hidden: bool = False) -> list[str]:
    result = await index.search(SearchQuery(terms=(text,), include_hidden=hidden))
    return [hit.problem.title for hit in result.hits]


async def test_create_rename_delete_restore_replayed_in_any_order(
    fts_index: Fts5Index, problems: ProblemRepository, table: Table
):
    sink = SearchSink(fts_index)
    created = await problems.create(
        factories.problem(identifier="1753", title="최단경로", status="completed")
    )
    platform = created.platform
    images = [await problem_image(table, platform, "1753")]
    await problems.update(platform=platform, identifier="1753", changes={"title": "최소 스패닝 트리"})
    images.append(await problem_image(table, platform, "1753"))
    await problems.delete(platform=platform, identifier="1753")
    images.append(await problem_image(table, platform, "1753"))
    records = [
        change_record("INSERT", old=None, new=images[0], sequence=100),
        change_record("MODIFY", old=images[0], new=images[1], sequence=200),
        change_record("MODIFY", old=images[1], new=images[2], sequence=300),
    ]
    await sink.apply(records[:2])
    assert await titles(fts_index, "스패닝") == ["최소 스패닝 트리"]
    assert await titles(fts_index, "경로") == []
    # The whole history again, newest first, then batch by batch: the soft delete stands.
    await sink.apply(list(reversed(records)))
    for record in records:
        await sink.apply([record])
    assert await titles(fts_index, "스패닝") == []
    assert await titles(fts_index, "스패닝", hidden=True) == ["최소 스패닝 트리"]
    restored = await problems.restore(platform=platform, identifier="1753")
    image = await problem_image(table, platform, "1753")
    await sink.apply([change_record("MODIFY", old=images[2], new=image, sequence=400), records[0]])
    assert await titles(fts_index, "트리") == [restored.title]


async def test_records_of_other_items_are_ignored_and_remove_leaves_nothing(
    fts_index: Fts5Index, problems: ProblemRepository, table: Table
):
    sink = SearchSink(fts_index)
    problem = await problems.create(factories.problem(title="Tagged", tags=["graphs"], status="completed"))
    meta = await problem_image(table, problem.platform, problem.identifier)
    tag_item = await table.get(
        {"PK": keys.problem_pk(problem.platform, problem.identifier), "SK": keys.tag_sk("graphs")}
    )
    assert tag_item is not None and plain(tag_item)["tp"] == PROBLEM_TAG.entity_type
    await sink.apply([change_record("INSERT", old=None, new=plain(tag_item))])
    assert await fts_index.count() == 0
    await sink.apply([change_record("INSERT", old=None, new=meta, sequence=10)])
    assert await titles(fts_index, "tagged") == ["Tagged"]
    removal = change_record("REMOVE", old=meta, new=None, sequence=20)
    await sink.apply([removal, change_record("INSERT", old=None, new=meta, sequence=10)])
    assert await titles(fts_index, "tagged", hidden=True) == []
    assert await fts_index.count() == 0


async def test_the_real_stream_applied_twice_leaves_the_newest(
    fts_index: Fts5Index, problems: ProblemRepository, settings
):
    """End to end through DynamoDB Streams (read minimally here; the indexer is the consumer)."""
    first = await problems.create(
        factories.problem(identifier="2000", title="Stream One", status="completed")
    )
    await problems.create(factories.problem(identifier="2001", title="Stream Two", status="completed"))
    await problems.update(platform=first.platform, identifier="2000", changes={"title": "Stream Renamed"})
    records = await read_stream(settings)
    assert {r.event for r in records} >= {"INSERT", "MODIFY"}
    sink = SearchSink(fts_index)
    await sink.apply(records)
    await sink.apply(records[:1])  # a restart re-delivers the start of the batch
    assert sorted(await titles(fts_index, "stream")) == ["Stream Renamed", "Stream Two"]
