"""The provider with the real google-genai client against the loopback server:
what is sent, and each kind of bad answer."""

from __future__ import annotations

import pytest

from algoitny.ai import AiBadAnswer, AiCallFailed, HintList, Task, open_provider
from tests.ai.conftest import TEST_KEY, ai_settings

HINTS = {"hints": ["Look at the loop bound.", "What if n is 1?", "Check the sum's type."]}


async def _generate(settings, prompt="the prompt"):
    async with open_provider(settings) as provider:
        return await provider.generate(Task.HINTS, prompt, HintList, system="be a coach")


async def test_the_model_per_task_the_key_the_prompt_and_the_schema_are_sent(gemini):
    gemini.answer(HINTS)
    answer = await _generate(ai_settings(gemini, hint_model="hint-model-x"), "find the bug in `x += 1`")
    assert answer.value.hints == HINTS["hints"]
    assert answer.usage.total_tokens == 120 and answer.usage.model == "hint-model-x"
    (sent,) = gemini.received
    assert sent.path == "/v1beta/models/hint-model-x:generateContent" and sent.api_key == TEST_KEY
    assert sent.prompt == "find the bug in `x += 1`" and sent.system == "be a coach"
    config = sent.body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["properties"]["hints"]["maxItems"] == 5


async def test_without_a_key_there_is_no_provider():
    async with open_provider(ai_settings_without_key()) as provider:
        assert provider is None


def ai_settings_without_key():
    from algoitny.settings import AiSettings

    return AiSettings()


async def test_invalid_json_is_a_bad_answer(gemini):
    gemini.answer("Sure! Here are your hints: 1. look closer")
    with pytest.raises(AiBadAnswer) as raised:
        await _generate(ai_settings(gemini))
    assert "not valid HintList JSON" in str(raised.value)
    assert raised.value.text.startswith("Sure!")
    assert len(gemini.received) == 1, "a bad answer is not retried as if the call had failed"


@pytest.mark.parametrize(
    "answer",
    [
        {"hints": ["only one"]},
        {"hints": ["a", "b", "c", "d", "e", "f"]},
        {"hints": ["same", "same", "other"]},
        {"tips": ["a", "b", "c"]},
        ["a", "b", "c"],
    ],
)
async def test_json_not_matching_the_schema_is_a_bad_answer(gemini, answer):
    gemini.answer(answer)
    with pytest.raises(AiBadAnswer):
        await _generate(ai_settings(gemini))


async def test_429_then_success_is_retried(gemini):
    gemini.fail(429)
    gemini.fail(503)
    gemini.answer(HINTS)
    answer = await _generate(ai_settings(gemini, retries=2))
    assert answer.value.hints == HINTS["hints"] and len(gemini.received) == 3


async def test_429_every_time_gives_up_after_the_retries(gemini):
    for _ in range(3):
        gemini.fail(429)
    with pytest.raises(AiCallFailed, match="after 3 tries"):
        await _generate(ai_settings(gemini, retries=2))
    assert len(gemini.received) == 3


async def test_a_refused_request_is_not_retried(gemini):
    gemini.fail(400)
    with pytest.raises(AiCallFailed, match="refused"):
        await _generate(ai_settings(gemini, retries=2))
    assert len(gemini.received) == 1


async def test_a_timeout_is_retried_then_reported(gemini):
    gemini.answer(HINTS, delay_s=3)
    gemini.answer(HINTS)
    answer = await _generate(ai_settings(gemini, timeout_s=0.5, retries=1))
    assert answer.value.hints == HINTS["hints"] and len(gemini.received) == 2
    gemini.answer(HINTS, delay_s=3)
    gemini.answer(HINTS, delay_s=3)
    with pytest.raises(AiCallFailed, match="timed out"):
        await _generate(ai_settings(gemini, timeout_s=0.5, retries=1))
