"""Each built-in checker, accepting and rejecting."""

import pytest

from algoitny.executor.checkers import exact, floats, get_checker, lines, tokens, unordered


@pytest.mark.parametrize("output, answer", [(b"1 2\n", b"1 2\n"), (b"", b"")])
def test_exact_accepts_identical_bytes(output, answer):
    assert exact(b"", output, answer, {}).ok


@pytest.mark.parametrize("output, answer", [(b"1 2\n", b"1 2"), (b"1  2\n", b"1 2\n"), (b"3\r\n", b"3\n")])
def test_exact_rejects_any_difference(output, answer):
    result = exact(b"", output, answer, {})
    assert not result.ok and "byte" in result.message


@pytest.mark.parametrize("output", [b"1 2\n3\n", b"1 2   \n3\t\n\n\n", b"1 2\r\n3\r\n", b"1 2\n3"])
def test_lines_ignores_trailing_whitespace_and_blank_lines(output):
    assert lines(b"", output, b"1 2\n3\n", {}).ok


@pytest.mark.parametrize("output, fragment", [
    (b"1  2\n3\n", "line 1"),   # inner whitespace matters
    (b" 1 2\n3\n", "line 1"),   # leading whitespace matters
    (b"1 2\n4\n", "line 2"),
    (b"1 2\n", "lines"),
    (b"1 2\n\n3\n", "line 2"),  # a blank line in the middle matters
])
def test_lines_rejects(output, fragment):
    result = lines(b"", output, b"1 2\n3\n", {})
    assert not result.ok and fragment in result.message


def test_tokens_accepts_any_layout_of_the_same_tokens():
    assert tokens(b"", b"1\n2   3\n\n", b"1 2 3\n", {}).ok


@pytest.mark.parametrize("output", [b"1 2\n", b"1 2 3 4\n", b"1 3 2\n", b"1 2 03\n"])
def test_tokens_rejects(output):
    assert not tokens(b"", output, b"1 2 3\n", {}).ok


@pytest.mark.parametrize("output, args", [
    (b"0.3333333\n", {}),
    (b"0.33334\n", {"abs": "1e-4"}),
    (b"1000001\n", {"rel": "1e-6", "abs": "0"}),  # relative to the answer 1000000
    (b"YES 2.0000001\n", {}),
    (b"inf\n", {}),
])
def test_float_accepts_within_tolerance(output, args):
    answer = {b"1000001\n": b"1000000\n", b"YES 2.0000001\n": b"YES 2\n", b"inf\n": b"inf\n"}.get(
        output, b"0.333333333\n")
    assert floats(b"", output, answer, args).ok


@pytest.mark.parametrize("output, answer, args", [
    (b"0.334\n", b"0.333333333\n", {}),
    (b"1000002\n", b"1000000\n", {"rel": "1e-6", "abs": "0"}),
    (b"nan\n", b"0.5\n", {}),
    (b"abc\n", b"0.5\n", {}),
    (b"NO 2\n", b"YES 2\n", {}),
    (b"1 2\n", b"1\n", {}),
    (b"-inf\n", b"inf\n", {}),
])
def test_float_rejects(output, answer, args):
    assert not floats(b"", output, answer, args).ok


def test_unordered_accepts_a_permutation():
    assert unordered(b"", b"3 1\n2\n", b"1 2 3\n", {}).ok


@pytest.mark.parametrize("output", [b"1 2\n", b"1 2 2\n", b"1 2 4\n", b"1 2 3 3\n"])
def test_unordered_rejects_a_different_multiset(output):
    assert not unordered(b"", output, b"1 2 3\n", {}).ok


def test_lookup_by_name_and_alias_and_unknown():
    assert get_checker("lines") is lines
    assert get_checker("default") is lines
    assert get_checker("float") is floats
    with pytest.raises(ValueError):
        get_checker("nope")
