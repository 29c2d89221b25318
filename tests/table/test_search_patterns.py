"""The search index's one access pattern: the offline Scan ``algoitny reindex`` reads."""

from __future__ import annotations

from tests import factories


async def test_scan_problems_for_reindex(problems, test_cases):
    made = [await problems.create(factories.problem(tags=["a", "b"])) for _ in range(5)]
    await test_cases.add_many(
        platform=made[0].platform, identifier=made[0].identifier, new_cases=factories.new_cases(2)
    )
    await problems.delete(platform=made[1].platform, identifier=made[1].identifier)
    pages = [page async for page in problems.scan_for_reindex(page_size=2)]
    found = {(p.identifier, p.deleted) for page in pages for p in page}
    # Every problem once, soft-deleted too; tags, test cases and other items are filtered out.
    assert found == {(p.identifier, p.identifier == made[1].identifier) for p in made}
    assert len(pages) >= 2
