import asyncio
import os
import sys
import uuid

from algoitny.migrate import discover, migrate


async def test_steps_are_numbered_in_order():
    numbers = [step.number for step in discover()]
    assert numbers == sorted(numbers) and numbers[0] == 1


async def test_migrate_twice_is_a_no_op_the_second_time(dynamodb):
    name = f"m-{uuid.uuid4().hex[:8]}"
    first = await migrate(dynamodb, name)
    assert [s.number for s in first] == [s.number for s in discover()]
    assert await migrate(dynamodb, name) == []
    table = (await dynamodb.describe_table(TableName=name))["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2", "GSI3"}
    ttl = (await dynamodb.describe_time_to_live(TableName=name))["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "ttl"
    await dynamodb.delete_table(TableName=name)


async def test_each_step_is_rerunnable_on_its_own(dynamodb):
    name = f"m-{uuid.uuid4().hex[:8]}"
    await migrate(dynamodb, name)
    for step in discover():
        await step.module.apply(dynamodb, name)
    await dynamodb.delete_table(TableName=name)


async def test_a_table_made_before_gsi3_gets_it(dynamodb):
    import importlib

    name = f"m-{uuid.uuid4().hex[:8]}"
    attributes = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
    create = importlib.import_module("migrations.0001_create_table")
    await dynamodb.create_table(  # what step 0001 made before step 0005 existed
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[create._index("GSI1"), create._index("GSI2")],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    await importlib.import_module("migrations.0005_problem_history_index").apply(dynamodb, name)
    table = (await dynamodb.describe_table(TableName=name))["Table"]
    assert {i["IndexName"]: i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]}["GSI3"] == "ACTIVE"
    await dynamodb.delete_table(TableName=name)


async def test_cli_migrate_uses_settings(services, tmp_path):
    name = f"m-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ALGOITNY_TABLE__NAME": name, "ALGOITNY_TABLE__ENDPOINT_URL": services.dynamodb_url}
    env["ALGOITNY_SEARCH__PATH"] = str(tmp_path / "search.sqlite3")  # migrate also makes the search index
    outputs = []
    for _ in range(2):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "algoitny.cli",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        assert process.returncode == 0, out
        outputs.append(out.decode())
    assert "applied 0001" in outputs[0]
    assert "up to date" in outputs[1] and "applied" not in outputs[1]
    assert all("search index (fts5): ready" in out for out in outputs)
    assert (tmp_path / "search.sqlite3").exists()
