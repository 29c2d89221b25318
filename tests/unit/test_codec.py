import pytest

from algoitny.table.codec import PROBLEM, TEST_CASE, EntityCodec, from_dynamo, to_dynamo


def test_encode_uses_short_names_and_stamps_entity_type():
    item = PROBLEM.encode({"title": "A+B", "tags": ["math"], "url": None}, {"PK": "P", "SK": "META"})
    assert item["tit"] == {"S": "A+B"}
    assert item["tag"] == {"L": [{"S": "math"}]}
    assert item["tp"] == {"S": "prob"}
    assert "url" not in item, "None is dropped, not stored"
    assert item["PK"] == {"S": "P"}


def test_decode_round_trips_and_ignores_keys():
    fields = {
        "title": "A+B",
        "time_limit_ms": 1500,
        "checker": {"name": "float", "abs_tol": 1e-6},
        "deleted": False,
    }
    item = PROBLEM.encode(fields, {"PK": "P", "SK": "META"})
    assert PROBLEM.decode(item) == fields


def test_binary_round_trips_as_bytes():
    item = TEST_CASE.encode({"input": b"\x00\xffabc"})
    assert TEST_CASE.decode(item) == {"input": b"\x00\xffabc"}


def test_numbers_come_back_as_int_or_float():
    assert from_dynamo(to_dynamo(3)) == 3 and isinstance(from_dynamo(to_dynamo(3)), int)
    assert from_dynamo(to_dynamo(0.25)) == 0.25


def test_duplicate_short_names_are_refused():
    with pytest.raises(ValueError):
        EntityCodec("x", {"a": "s", "b": "s"})


def test_reserved_short_names_are_refused():
    with pytest.raises(ValueError):
        EntityCodec("x", {"kind": "tp"})
