"""table/response_parser.py reads DynamoDB's answers exactly as botocore's own parser does."""

from __future__ import annotations

import json

import aioboto3
import botocore.session
from aiobotocore.parsers import AioJSONParser

from algoitny.resources import dynamodb_client_kwargs, open_dynamodb
from algoitny.table.response_parser import DynamoDBJSONParser

EVERY_TYPE = {
    "PK": {"S": "PARSE#1"},
    "SK": {"S": "META"},
    "number": {"N": "-12.5"},
    "binary": {"B": b"\x00\xffbytes"},
    "strings": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2"]},
    "binaries": {"BS": [b"\x01", b"\x02"]},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "nested": {
        "M": {
            "list": {"L": [{"S": "x"}, {"M": {"blob": {"B": b"\x03"}}}, {"L": [{"N": "7"}]}]},
            "empty": {"M": {}},
        }
    },
    "empty_list": {"L": []},
    "unicode": {"S": "한국어 ✓"},
}


async def test_every_attribute_type_reads_back_as_botocore_reads_it(settings):
    table = settings.table
    key = {"PK": EVERY_TYPE["PK"], "SK": EVERY_TYPE["SK"]}
    async with open_dynamodb(table) as client:
        await client.put_item(TableName=table.name, Item=EVERY_TYPE)
        ours = await client.get_item(TableName=table.name, Key=key)
        page = await client.query(
            TableName=table.name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": EVERY_TYPE["PK"]},
            Limit=1,
        )
    async with aioboto3.Session().client("dynamodb", **dynamodb_client_kwargs(table)) as plain:
        theirs = await plain.get_item(TableName=table.name, Key=key)
    assert ours["Item"] == theirs["Item"] == EVERY_TYPE
    assert page["Items"] == [EVERY_TYPE]


async def test_an_attribute_type_it_does_not_know_is_left_to_botocore():
    shape = (
        botocore.session.get_session().get_service_model("dynamodb").operation_model("GetItem").output_shape
    )
    body = {"Item": {"PK": {"S": "x"}, "future": {"VECTOR": [1, 2]}, "map": {"M": {"f": {"VECTOR": []}}}}}
    response = {"body": json.dumps(body).encode(), "headers": {}, "status_code": 200}
    ours = await DynamoDBJSONParser().parse(response, shape)
    theirs = await AioJSONParser().parse(response, shape)
    assert ours == theirs  # whatever botocore makes of it (today: {}), not the raw value
    assert ours["Item"]["PK"] == {"S": "x"}
