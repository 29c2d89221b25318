import pytest

from algoitny.errors import InvalidCursor
from algoitny.table.cursor import CursorCodec

KEY = {"PK": {"S": "PROB#baekjoon#1"}, "SK": {"S": "META"}}


def test_round_trip():
    codec = CursorCodec("secret")
    assert codec.decode(codec.encode(KEY, "q"), "q") == KEY


def test_tampered_body_is_rejected():
    codec = CursorCodec("secret")
    body, signature = codec.encode(KEY, "q").split(".")
    forged = CursorCodec("other").encode({"PK": {"S": "x"}}, "q").split(".")[0]
    with pytest.raises(InvalidCursor):
        codec.decode(f"{forged}.{signature}", "q")


def test_other_secret_is_rejected():
    with pytest.raises(InvalidCursor):
        CursorCodec("secret").decode(CursorCodec("other").encode(KEY, "q"), "q")


def test_cursor_of_another_query_is_rejected():
    codec = CursorCodec("secret")
    with pytest.raises(InvalidCursor):
        codec.decode(codec.encode(KEY, "q1"), "q2")


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "!!!.???", "x" * 500])
def test_junk_is_rejected(junk):
    with pytest.raises(InvalidCursor):
        CursorCodec("secret").decode(junk, "q")
