"""The variants shrinking proposes and the order sizes are searched in (pure: no sandbox)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from algoitny.stress import shrink
from algoitny.stress.engine import StressSetup
from algoitny.stress.search import Search


def texts(variants: shrink.Variants) -> list[str]:
    return [shrink.render(doc).decode() for _, doc in variants]


def test_parse_and_render_keep_lines_and_tokens():
    doc = shrink.parse(b"3\n1  2 3\n")
    assert doc == (("3",), ("1", "2", "3"))
    assert shrink.render(doc) == b"3\n1 2 3\n"


def test_token_removals_come_with_the_declared_count_lowered():
    variants = texts(shrink.token_removals(shrink.parse(b"3\n1 2 3\n")))
    # Removing one token proposes first the first line's "3" (the count) lowered by one.
    assert variants[:3] == ["\n1 2 3\n", "2\n2 3\n", "3\n2 3\n"]  # line 0's lone token, then line 1
    assert "2\n1 3\n" in variants and "2\n1 2\n" in variants


def test_line_removals_halve_chunks_and_recount_lines():
    doc = shrink.parse(b"2 4\n1 2\n2 3\n3 4\n4 1\n")
    variants = texts(shrink.line_removals(doc))
    assert variants[0] == "2 3\n3 4\n4 1\n"  # chunks of two lines: the first (with the header)
    assert variants[1] == "2 2\n1 2\n4 1\n"  # the next, with the edge count (4 lines after the first) lowered
    assert variants[2] == "2 4\n1 2\n4 1\n"  # … and as it is
    assert variants[3] == "2 3\n1 2\n2 3\n3 4\n"  # the last, shorter chunk lowers it by one
    # Resuming at a cursor skips what came before it.
    resumed = list(shrink.line_removals(doc, (-1, 3, 0)))
    assert resumed[0][0] == (-1, 3, 0) and all(cursor >= (-1, 3, 0) for cursor, _ in resumed)


def test_numbers_are_lowered_towards_zero_and_every_variant_is_lighter():
    doc = shrink.parse(b"2\n-8 10 x\n")
    variants = texts(shrink.number_lowerings(doc))
    assert variants == ["0\n-8 10 x\n", "1\n-8 10 x\n", "2\n0 10 x\n", "2\n-1 10 x\n", "2\n-4 10 x\n",
                        "2\n-8 0 x\n", "2\n-8 1 x\n", "2\n-8 5 x\n"]  # fmt: skip
    for make in shrink.PASSES:
        assert all(shrink.weight(variant) < shrink.weight(doc) for _, variant in make(doc))


def schedule(size_max: int, rounds: int) -> Iterator[tuple[int, int]]:
    setup = StressSetup("", None, 1, size_max)
    # The schedule needs no sandbox: no Lab.
    search = Search(
        None, setup, seeds_per_size=4, rounds=rounds, extra_seeds=4, on_progress=None, progress_interval_s=0
    )  # type: ignore[arg-type]
    return search._schedule()


def test_the_schedule_deepens_small_sizes_first_and_is_lazy():
    # (size, round): round 1 of size 1 once round 0 is 5 sizes further; a size range of
    # 10^12 costs nothing up front.
    first = list(itertools.islice(schedule(10**12, 3), 12))
    assert first == [
        (1, 0),
        (2, 0),
        (3, 0),
        (4, 0),
        (5, 0),
        (6, 0),
        (1, 1),
        (7, 0),
        (2, 1),
        (8, 0),
        (3, 1),
        (9, 0),
    ]
    assert list(schedule(3, 2)) == [(1, 0), (2, 0), (3, 0), (1, 1), (2, 1), (3, 1)]
