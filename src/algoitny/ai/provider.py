"""The one place that talks to Gemini: google-genai's async client, our checks around it.

- the model per task comes from settings (``AiSettings.*_model``);
- the answer must be JSON valid for a pydantic model: its JSON schema is sent as the
  response schema and the text is validated here (``AiBadAnswer`` otherwise);
- 429, 5xx and timeouts are retried with doubling backoff (``AiCallFailed`` after the
  last try); anything else the API refuses is not retried;
- token usage of each call is logged and returned with the answer, for the caller to store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, ValidationError

from algoitny.observability import metrics
from algoitny.settings import AiSettings

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=BaseModel)


class Task(StrEnum):
    GENERATOR = "generator"
    SOLUTION = "solution"
    HINTS = "hints"
    PROBLEM_HINTS = "problem_hints"


class AiCallFailed(Exception):
    """The model could not be reached or refused the call (after retries)."""


class AiBadAnswer(Exception):
    """The model answered, but not with JSON valid for the expected model."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True)
class AiUsage:
    model: str
    prompt_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return {
            "model": self.model,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True)
class AiAnswer(Generic[Answer]):
    value: Answer
    usage: AiUsage
    text: str


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, genai_errors.APIError):
        return exc.code == 429 or 500 <= (exc.code or 0) < 600
    return isinstance(exc, (asyncio.TimeoutError, OSError)) or type(exc).__module__.startswith("httpx")


class AiProvider:
    def __init__(self, client: genai.Client, settings: AiSettings) -> None:
        self.client = client
        self.settings = settings

    def model_for(self, task: Task) -> str:
        return {
            Task.GENERATOR: self.settings.generator_model,
            Task.SOLUTION: self.settings.solution_model,
            Task.HINTS: self.settings.hint_model,
            Task.PROBLEM_HINTS: self.settings.hint_model,
        }[task]

    async def generate(
        self, task: Task, prompt: str, answer_model: type[Answer], *, system: str | None = None
    ) -> AiAnswer[Answer]:
        model = self.model_for(task)
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            response_json_schema=answer_model.model_json_schema(),
            temperature=0.2,
        )
        started = time.perf_counter()
        try:
            response = await self._call_with_retries(task, model, prompt, config)
        except AiCallFailed:
            metrics.ai_calls.labels(task.value, "failed").inc()
            raise
        finally:
            metrics.ai_call_duration.labels(task.value).observe(time.perf_counter() - started)
        usage = _usage(model, response)
        metrics.ai_tokens.labels(task.value, "prompt").inc(usage.prompt_tokens)
        metrics.ai_tokens.labels(task.value, "output").inc(usage.output_tokens)
        log.info(
            "ai call task=%s model=%s prompt_tokens=%d output_tokens=%d",
            task,
            model,
            usage.prompt_tokens,
            usage.output_tokens,
        )
        text = _text(response)
        try:
            value = answer_model.model_validate_json(text)
        except ValidationError as exc:
            metrics.ai_calls.labels(task.value, "bad_answer").inc()
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:5]
            )
            raise AiBadAnswer(
                f"the answer is not valid {answer_model.__name__} JSON: {problems}", text
            ) from exc
        metrics.ai_calls.labels(task.value, "ok").inc()
        return AiAnswer(value, usage, text)

    async def _call_with_retries(
        self, task: Task, model: str, prompt: str, config: types.GenerateContentConfig
    ):
        delay = self.settings.backoff_s
        for attempt in range(self.settings.retries + 1):
            try:
                return await asyncio.wait_for(
                    self.client.aio.models.generate_content(model=model, contents=prompt, config=config),
                    self.settings.timeout_s,
                )
            except Exception as exc:
                if not _retryable(exc):
                    raise AiCallFailed(f"the model refused the call: {_describe(exc)}") from exc
                if attempt == self.settings.retries:
                    raise AiCallFailed(
                        f"the model did not answer after {attempt + 1} tries: {_describe(exc)}"
                    ) from exc
                metrics.ai_calls.labels(task.value, "retry").inc()
                log.warning("ai call to %s failed (%s); retrying in %.1fs", model, _describe(exc), delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _describe(exc: Exception) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _text(response: types.GenerateContentResponse) -> str:
    for candidate in response.candidates or []:
        parts = candidate.content.parts if candidate.content else None
        texts = [part.text for part in parts or [] if part.text]
        if texts:
            return "".join(texts)
    return ""


def _usage(model: str, response: types.GenerateContentResponse) -> AiUsage:
    meta = response.usage_metadata
    if meta is None:
        return AiUsage(model)
    prompt, output = meta.prompt_token_count or 0, meta.candidates_token_count or 0
    return AiUsage(model, prompt, output, meta.total_token_count or prompt + output)


@contextlib.asynccontextmanager
async def open_provider(settings: AiSettings) -> AsyncIterator[AiProvider | None]:
    """The provider, or ``None`` when no API key is configured (the deterministic fallbacks)."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        yield None
        return
    http_options = types.HttpOptions(base_url=settings.base_url) if settings.base_url else None
    client = genai.Client(api_key=settings.api_key.get_secret_value(), http_options=http_options)
    try:
        yield AiProvider(client, settings)
    finally:
        await client.aio.aclose()
