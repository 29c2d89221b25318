"""``table.client.condition_failed``: the one test of "was this write refused by its condition?"."""

from botocore.exceptions import ClientError

from algoitny.table.client import condition_failed


def _error(code: str, reasons: list[str] | None = None) -> ClientError:
    response: dict = {"Error": {"Code": code, "Message": "..."}}
    if reasons is not None:
        response["CancellationReasons"] = [{"Code": reason} for reason in reasons]
    return ClientError(response, "UpdateItem")


def test_a_refused_single_write():
    assert condition_failed(_error("ConditionalCheckFailedException"))


def test_a_transaction_refused_by_its_first_condition():
    assert condition_failed(_error("TransactionCanceledException", ["ConditionalCheckFailed", "None"]))


def test_a_transaction_cancelled_for_another_reason():
    assert not condition_failed(_error("TransactionCanceledException", ["None", "ConditionalCheckFailed"]))
    assert not condition_failed(_error("TransactionCanceledException", ["TransactionConflict"]))
    assert not condition_failed(_error("TransactionCanceledException"))


def test_other_errors():
    assert not condition_failed(_error("ProvisionedThroughputExceededException"))
    assert not condition_failed(ClientError({}, "PutItem"))
