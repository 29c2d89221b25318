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


@pytest.mark.parametrize(
    "output, fragment",
    [
        (b"1  2\n3\n", "line 1"),  # inner whitespace matters
        (b" 1 2\n3\n", "line 1"),  # leading whitespace matters
        (b"1 2\n4\n", "line 2"),
        (b"1 2\n", "lines"),
        (b"1 2\n\n3\n", "line 2"),  # a blank line in the middle matters
    ],
)
def test_lines_rejects(output, fragment):
    result = lines(b"", output, b"1 2\n3\n", {})
    assert not result.ok and fragment in result.message


def test_tokens_accepts_any_layout_of_the_same_tokens():
    assert tokens(b"", b"1\n2   3\n\n", b"1 2 3\n", {}).ok


@pytest.mark.parametrize("output", [b"1 2\n", b"1 2 3 4\n", b"1 3 2\n", b"1 2 03\n"])
def test_tokens_rejects(output):
    assert not tokens(b"", output, b"1 2 3\n", {}).ok


@pytest.mark.parametrize(
    "output, args",
    [
        (b"0.3333333\n", {}),
        (b"0.33334\n", {"abs": "1e-4"}),
        (b"1000001\n", {"rel": "1e-6", "abs": "0"}),  # relative to the answer 1000000
        (b"YES 2.0000001\n", {}),
        (b"inf\n", {}),
    ],
)
def test_float_accepts_within_tolerance(output, args):
    answer = {b"1000001\n": b"1000000\n", b"YES 2.0000001\n": b"YES 2\n", b"inf\n": b"inf\n"}.get(
        output, b"0.333333333\n"
    )
    assert floats(b"", output, answer, args).ok


@pytest.mark.parametrize(
    "output, answer, args",
    [
        (b"0.334\n", b"0.333333333\n", {}),
        (b"1000002\n", b"1000000\n", {"rel": "1e-6", "abs": "0"}),
        (b"nan\n", b"0.5\n", {}),
        (b"abc\n", b"0.5\n", {}),
        (b"NO 2\n", b"YES 2\n", {}),
        (b"1 2\n", b"1\n", {}),
        (b"-inf\n", b"inf\n", {}),
    ],
)
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


# Edge cases seen in real judges' test data (testlib compares doubles the same way).
@pytest.mark.parametrize(
    "output, answer",
    [
        (b"nan\n", b"nan\n"),  # a non-number answer token is matched exactly
        (b"-0\n", b"0\n"),
        (b"-0.0\n", b"0.000000\n"),
        (b"1e-7\n", b"0\n"),  # within abs 1e-6
        (b"1.000001\n", b"1\n"),  # exactly eps away: accepted despite binary rounding
        (b"1e308\n", b"1.0000000001e308\n"),
        (b"1e400\n", b"1e999\n"),  # both overflow to +inf
        (b"+.5\n", b"0.5\n"),
        (b"5.\n", b"5\n"),
        (b"1E3\r\n", b"1000\n"),  # CRLF and an upper-case exponent
    ],
)
def test_float_edge_cases_accepted(output, answer):
    assert floats(b"", output, answer, {}).ok


@pytest.mark.parametrize(
    "output, answer",
    [
        (b"nan\n", b"1\n"),
        (b"NaN\n", b"nan\n"),
        (b"inf\n", b"1e308\n"),
        (b"1e400\n", b"1e308\n"),
        (b"infinity\n", b"inf\n"),
        (b"0x10\n", b"16\n"),  # Python's float() would not even accept it, C's would
        (b"1_000\n", b"1000\n"),  # Python's float() accepts this: we must not
        (b"1,5\n", b"1.5\n"),
        (b"1.5e\n", b"1.5\n"),
        (b"1e-5\n", b"0\n"),
        (b"\n", b"0\n"),  # empty output
    ],
)
def test_float_edge_cases_rejected(output, answer):
    assert not floats(b"", output, answer, {}).ok


UTF8 = "안녕 ñandú ☃".encode()


@pytest.mark.parametrize("checker", [lines, tokens, unordered, floats])
def test_utf8_and_crlf_are_fine_for_every_text_checker(checker):
    assert checker(b"", UTF8 + b"\r\n" + UTF8 + b"\r\n", UTF8 + b"\n" + UTF8 + b"\n", {}).ok
    assert not checker(b"", UTF8 + b"\r\n", "안녕 nandu ☃\n".encode(), {}).ok


@pytest.mark.parametrize("checker", [lines, tokens, unordered, floats, exact])
def test_empty_output_against_an_empty_answer(checker):
    assert checker(b"", b"", b"", {}).ok
    assert not checker(b"", b"", b"1\n", {}).ok


def test_missing_final_newline_only_matters_to_exact():
    assert lines(b"", b"1\n2", b"1\n2\n", {}).ok and tokens(b"", b"1 2", b"1 2\n", {}).ok
    assert not exact(b"", b"1\n2", b"1\n2\n", {}).ok


def test_non_utf8_output_is_compared_as_bytes():
    assert lines(b"", b"\xff\xfe\n", b"\xff\xfe\n", {}).ok
    result = lines(b"", b"\xff\n", b"\xfe\n", {})
    assert not result.ok and "line 1" in result.message
