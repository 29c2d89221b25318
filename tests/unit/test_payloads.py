import os

from algoitny.domain import NewTestCase
from algoitny.table import payloads

PK = "PROB#custom#x"


def _random_text(size: int) -> str:
    # Incompressible printable text: hex of random bytes.
    return os.urandom(size // 2).hex()


def _item_bytes(item: dict) -> int:
    """DynamoDB's size rule, near enough: names plus string/binary values."""
    total = 0
    for name, value in item.items():
        ((kind, raw),) = value.items()
        total += len(name) + (len(raw) if kind in ("S", "B") else 32)
    return total


def test_small_case_is_one_inline_item():
    new = NewTestCase(input="1 2\n", output="3\n")
    items = payloads.encode_test_case(PK, payloads.test_case_id(new), new, 0, 1)
    assert len(items) == 1
    assert payloads.decode_test_cases(items)[0].input == "1 2\n"


def test_large_case_is_split_and_reassembled_byte_for_byte():
    new = NewTestCase(input=_random_text(2_000_000), output=_random_text(2_000_000) + "\r\n\u00e9")
    items = payloads.encode_test_case(PK, payloads.test_case_id(new), new, 7, 1)
    assert len(items) > 2
    assert all(_item_bytes(item) < 400_000 for item in items)
    (case,) = payloads.decode_test_cases(items)
    assert case.input == new.input and case.output == new.output and case.position == 7


def test_missing_chunk_is_detected():
    new = NewTestCase(input=_random_text(1_000_000), output="x")
    items = payloads.encode_test_case(PK, payloads.test_case_id(new), new, 0, 1)
    try:
        payloads.decode_test_cases(items[:-2])
    except ValueError:
        return
    raise AssertionError("a missing chunk went unnoticed")


def test_id_depends_on_kind_input_and_output():
    base = NewTestCase(input="1", output="2", kind="manual")
    assert payloads.test_case_id(base) == payloads.test_case_id(NewTestCase("1", "2", "manual"))
    assert payloads.test_case_id(base) != payloads.test_case_id(NewTestCase("1", "3", "manual"))
    assert payloads.test_case_id(base) != payloads.test_case_id(NewTestCase("12", "", "manual"))
    sample = payloads.test_case_id(NewTestCase("1", "2", "sample"))
    assert sample.startswith("s") and sample != payloads.test_case_id(base)


def test_summary_previews_are_bounded():
    new = NewTestCase(input="a" * 5000, output="b")
    (item,) = payloads.encode_test_case(PK, payloads.test_case_id(new), new, 0, 1)
    summary = payloads.summarize(item)
    assert summary.input_preview == "a" * payloads.PREVIEW_CHARS
    assert summary.input_size == 5000 and summary.output_preview == "b"
