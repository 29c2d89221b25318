"""``first_difference`` from the built-in checkers: token-level, located in the output,
bounded whatever the outputs' size."""

from __future__ import annotations

import pytest

from algoitny.executor.checkers import exact, floats, lines, tokens, unordered
from algoitny.executor.models import FirstDifference
from algoitny.executor.output import CHUNK_BYTES


def test_lines_checker_points_at_the_differing_token():
    result = lines(b"", b"1 2 3\n4 5 6\n", b"1 2 3\n4 7 6\n", {})
    assert not result.ok
    assert result.difference == FirstDifference(2, 3, "7", "5", "4 7 6", "4 5 6")


def test_a_missing_line_is_an_empty_found_token():
    difference = lines(b"", b"1\n", b"1\n2\n", {}).difference
    assert difference == FirstDifference(2, 1, "2", "", "2", "")


def test_tokens_checker_locates_the_token_across_lines():
    difference = tokens(b"", b"1 2\n3 4\n5", b"1 2 3 4 6", {}).difference
    assert difference is not None and (difference.line, difference.column) == (3, 1)
    assert (difference.expected, difference.found) == ("6", "5")


@pytest.mark.parametrize(
    ("output", "answer", "where"),
    [(b"1.0\n2.5", b"1.0 2.0", (2, 1, "2.0", "2.5")), (b"1.0", b"1.0 2.0", (2, 1, "2.0", ""))],
)
def test_float_checker_difference(output, answer, where):
    difference = floats(b"", output, answer, {}).difference
    assert difference is not None
    assert (difference.line, difference.column, difference.expected, difference.found) == where


def test_exact_checker_gives_line_and_column_of_the_byte():
    difference = exact(b"", b"abc\ndef", b"abc\ndxf", {}).difference
    assert difference is not None and (difference.line, difference.column) == (2, 2)


def test_accepted_and_unordered_have_none():
    assert lines(b"", b"1\n", b"1\n", {}).difference is None
    assert unordered(b"", b"1 2", b"1 3", {}).difference is None


def test_huge_outputs_give_bounded_texts():
    long_line = b"7 " * (3 * CHUNK_BYTES) + b"8"
    output = b"0\n" * 5000 + long_line + b"x" * 500 + b"\n"
    answer = b"0\n" * 5000 + long_line + b"y" * 500 + b"\n"
    for check in (lines, tokens):
        difference = check(b"", output, answer, {}).difference
        assert difference is not None and difference.line == 5001
        assert difference.column == len(long_line), "the column of the token that starts with 8"
        assert difference.expected.startswith("8yyy") and difference.found.startswith("8xxx")
        assert len(difference.expected) <= 65 and len(difference.found) <= 65
        assert len(difference.expected_context) <= 80 and len(difference.found_context) <= 80
