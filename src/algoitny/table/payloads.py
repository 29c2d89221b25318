"""How a test case's texts fit DynamoDB's 400 KB item limit.

Input and expected output are UTF-8 encoded and zlib-compressed separately.
If both compressed blobs fit in ``INLINE_LIMIT`` bytes they live on the test
case's head item (``inp``/``out``, Binary). Otherwise the head keeps only
sizes, previews and chunk counts, and each blob is cut into ``CHUNK_BYTES``
pieces stored as chunk items right after the head in the same partition
(``TC#{id}#I0000``, ``TC#{id}#O0000`` …). Sort order keeps every chunk right
behind its head, so the problem's single partition Query still reads whole
test cases in order, and a 2 MB + 2 MB case of incompressible text needs about
12 chunk items.
"""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from algoitny.domain import NewTestCase, TestCase, TestCaseKind, TestCaseSummary
from algoitny.table import keys
from algoitny.table.codec import ENTITY_TYPE, TEST_CASE, TEST_CASE_CHUNK, from_dynamo

INLINE_LIMIT = 300_000
CHUNK_BYTES = 350_000
PREVIEW_CHARS = 1024
# Compressing, hashing or decompressing more than this many characters runs in a thread:
# 2 MB takes ~0.2 s of CPU, which would stall every other request on the event loop.
OFFLOAD_CHARS = 64 * 1024

T = TypeVar("T")


async def offload(size: int, work: Callable[[], T]) -> T:
    """Runs CPU-bound ``work`` in a thread when ``size`` (characters or bytes) is big."""
    if size <= OFFLOAD_CHARS:
        return work()
    return await asyncio.to_thread(work)


def total_chars(cases: Iterable[NewTestCase]) -> int:
    return sum(len(case.input) + len(case.output) for case in cases)


def item_size(item: dict[str, Any]) -> int:
    """About how many bytes an item weighs (its blobs dominate)."""
    size = 0
    for name, value in item.items():
        ((_, inner),) = value.items()
        size += len(name) + (len(inner) if isinstance(inner, bytes | str) else 16)
    return size


def test_case_id(new: NewTestCase) -> str:
    """Content-addressed: the same kind, input and output always get the same id."""
    digest = hashlib.sha256()
    for part in (new.kind, new.input, new.output):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return TestCaseKind(new.kind).letter + digest.hexdigest()[:23]


def encode_test_case(
    pk: str, test_case_id_: str, new: NewTestCase, position: int, created_at: int
) -> list[dict[str, Any]]:
    """The head item and its chunk items (if any) for one test case."""
    raw_in, raw_out = new.input.encode(), new.output.encode()
    packed_in, packed_out = zlib.compress(raw_in, 6), zlib.compress(raw_out, 6)
    fields: dict[str, Any] = {
        "test_case_id": test_case_id_,
        "kind": new.kind,
        "position": position,
        "input_size": len(raw_in),
        "output_size": len(raw_out),
        "created_at": created_at,
    }
    head_keys = {"PK": pk, "SK": keys.test_case_sk(test_case_id_)}
    if len(packed_in) + len(packed_out) <= INLINE_LIMIT:
        return [TEST_CASE.encode({**fields, "input": packed_in, "output": packed_out}, head_keys)]
    input_chunks = _cut(packed_in)
    output_chunks = _cut(packed_out)
    fields |= {
        "input_chunks": len(input_chunks),
        "output_chunks": len(output_chunks),
        "input_preview": new.input[:PREVIEW_CHARS],
        "output_preview": new.output[:PREVIEW_CHARS],
    }
    items = [TEST_CASE.encode(fields, head_keys)]
    for stream, chunks in (("I", input_chunks), ("O", output_chunks)):
        for index, chunk in enumerate(chunks):
            chunk_keys = {"PK": pk, "SK": keys.test_case_chunk_sk(test_case_id_, stream, index)}
            items.append(TEST_CASE_CHUNK.encode({"data": chunk}, chunk_keys))
    return items


def _cut(blob: bytes) -> list[bytes]:
    return [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]


def is_head(item: dict[str, Any]) -> bool:
    return item[ENTITY_TYPE]["S"] == TEST_CASE.entity_type


def is_chunk(item: dict[str, Any]) -> bool:
    return item[ENTITY_TYPE]["S"] == TEST_CASE_CHUNK.entity_type


@dataclass
class _Assembly:
    fields: dict[str, Any]
    input_parts: list[bytes]
    output_parts: list[bytes]


@dataclass
class PackedTestCase:
    """A stored test case with its texts still compressed; ``input``/``output`` decompress
    on each access. The judge holds these (compressed, usually far smaller) and unpacks one
    test at a time as it runs it, instead of every test's text at once."""

    __test__ = False

    test_case_id: str
    kind: str
    position: int
    packed_input: bytes
    packed_output: bytes
    created_at: int = 0

    @property
    def input(self) -> str:
        return zlib.decompress(self.packed_input).decode()

    @property
    def output(self) -> str:
        return zlib.decompress(self.packed_output).decode()

    def input_bytes(self) -> bytes:
        return zlib.decompress(self.packed_input)

    def output_bytes(self) -> bytes:
        return zlib.decompress(self.packed_output)

    def unpack(self) -> TestCase:
        return TestCase(
            test_case_id=self.test_case_id,
            kind=self.kind,
            position=self.position,
            input=self.input,
            output=self.output,
            created_at=self.created_at,
        )


def decode_test_cases(items: Iterable[dict[str, Any]]) -> list[TestCase]:
    """Heads and chunks, in sort-key order → whole test cases, by position."""
    return [packed.unpack() for packed in pack_test_cases(items)]


def pack_test_cases(items: Iterable[dict[str, Any]]) -> list[PackedTestCase]:
    """Heads and chunks, in sort-key order → test cases by position, texts still compressed."""
    assemblies: dict[str, _Assembly] = {}
    current: _Assembly | None = None
    head_sk = ""
    for item in items:
        if is_head(item):
            fields = TEST_CASE.decode(item)
            current = _Assembly(fields, [], [])
            assemblies[fields["test_case_id"]] = current
            head_sk = item["SK"]["S"] + "#"
        elif is_chunk(item) and current is not None and item["SK"]["S"].startswith(head_sk):
            # (a chunk whose head was never written — an interrupted add — belongs to no one)
            stream = item["SK"]["S"].rsplit("#", 1)[1][0]
            data = from_dynamo(item[TEST_CASE_CHUNK.short("data")])
            (current.input_parts if stream == "I" else current.output_parts).append(data)
    test_cases = [_assemble(a) for a in assemblies.values()]
    test_cases.sort(key=lambda tc: tc.position)
    return test_cases


def stored_bytes(items: Iterable[dict[str, Any]]) -> int:
    return sum(item_size(item) for item in items)


def _assemble(assembly: _Assembly) -> PackedTestCase:
    fields = assembly.fields
    if "input_chunks" in fields:
        packed_in, packed_out = b"".join(assembly.input_parts), b"".join(assembly.output_parts)
        if (
            len(assembly.input_parts) != fields["input_chunks"]
            or len(assembly.output_parts) != fields["output_chunks"]
        ):
            raise ValueError(f"test case {fields['test_case_id']} is missing chunks")
    else:
        packed_in, packed_out = fields["input"], fields["output"]
    return PackedTestCase(
        test_case_id=fields["test_case_id"],
        kind=fields["kind"],
        position=fields["position"],
        packed_input=packed_in,
        packed_output=packed_out,
        created_at=fields.get("created_at", 0),
    )


def summarize(item: dict[str, Any]) -> TestCaseSummary:
    """A head item → summary with previews (decompressing inline texts if needed)."""
    fields = TEST_CASE.decode(item)
    if "input_chunks" in fields:
        input_preview, output_preview = fields["input_preview"], fields["output_preview"]
    else:
        input_preview = _preview(fields["input"])
        output_preview = _preview(fields["output"])
    return TestCaseSummary(
        test_case_id=fields["test_case_id"],
        kind=fields["kind"],
        position=fields["position"],
        input_preview=input_preview,
        output_preview=output_preview,
        input_size=fields["input_size"],
        output_size=fields["output_size"],
        created_at=fields.get("created_at", 0),
    )


def _preview(packed: bytes) -> str:
    decompressor = zlib.decompressobj()
    head = decompressor.decompress(packed, PREVIEW_CHARS * 4)
    return head.decode(errors="ignore")[:PREVIEW_CHARS]
