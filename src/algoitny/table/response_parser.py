"""A faster reading of DynamoDB's answers: attribute values decoded in one pass.

botocore decodes a response by walking its shape model, and DynamoDB's ``AttributeValue``
is a tagged union of ten members: for every attribute of every item it copies the value,
lists the ten member names, and looks each one up. For a page of 20 submissions that was a
third of the API's CPU on the history and feed routes (py-spy, docs/capacity.md), more than
the rest of the request. The JSON DynamoDB sends is already the shape botocore returns,
except that binary values (``B``, ``BS``) arrive base64-encoded, so ``AttributeValue`` is
decoded here directly; everything else (the envelope, ``ConsumedCapacity``, errors,
``ResponseMetadata``) still goes through botocore.

A value with a member this code does not know (a type DynamoDB adds later) is handed to
botocore's own decoding, which reports it the way it always has.

Installed per session as botocore's ``response_parser_factory`` component
(``resources.open_dynamodb``).
"""

from __future__ import annotations

import base64
from typing import Any

from aiobotocore.parsers import PROTOCOL_PARSERS, AioJSONParser, AioResponseParserFactory

_PLAIN = frozenset(("S", "N", "SS", "NS", "BOOL", "NULL"))


def _value(value: dict[str, Any]) -> dict[str, Any] | None:
    """One attribute value, or None if it is not one this decoder knows."""
    if len(value) != 1:
        return None
    ((tag, inner),) = value.items()
    if tag in _PLAIN:
        return value
    if tag == "M":
        decoded = {}
        for name, member in inner.items():
            decoded_member = _value(member)
            if decoded_member is None:
                return None
            decoded[name] = decoded_member
        return {"M": decoded}
    if tag == "L":
        items = []
        for member in inner:
            decoded_member = _value(member)
            if decoded_member is None:
                return None
            items.append(decoded_member)
        return {"L": items}
    if tag == "B":
        return {"B": base64.b64decode(inner)}
    if tag == "BS":
        return {"BS": [base64.b64decode(blob) for blob in inner]}
    return None


class DynamoDBJSONParser(AioJSONParser):
    def _handle_structure(self, shape: Any, value: Any) -> Any:
        if shape.name == "AttributeValue" and isinstance(value, dict):
            decoded = _value(value)
            if decoded is not None:
                return decoded
        return super()._handle_structure(shape, value)


class DynamoDBResponseParserFactory(AioResponseParserFactory):
    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return DynamoDBJSONParser(**self._defaults)
        return PROTOCOL_PARSERS[protocol_name](**self._defaults)
