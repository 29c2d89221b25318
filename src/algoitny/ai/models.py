"""What the model must answer, as pydantic models: their JSON schema is sent as the
response schema, and every answer is validated against them by us (the SDK
returns ``parsed=None`` instead of raising when an answer does not fit)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

HINT_MAX_CHARS = 600


class GeneratorScript(BaseModel):
    """A Python 3 program: reads ``<size> <seed>`` from stdin, prints one test input."""

    script: str = Field(min_length=1, max_length=64 * 1024)
    explanation: str = Field(default="", max_length=4000)


class SolutionAnswer(BaseModel):
    language: Literal["python", "cpp"]
    code: str = Field(min_length=1, max_length=64 * 1024)


def _clean_hints(hints: list[str]) -> list[str]:
    cleaned = [" ".join(hint.split()) for hint in hints]
    if any(not hint for hint in cleaned):
        raise ValueError("a hint is empty")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("hints repeat")
    return cleaned


class HintList(BaseModel):
    """3–5 hints for a failed submission, most general first."""

    hints: list[str] = Field(min_length=3, max_length=5)

    @field_validator("hints")
    @classmethod
    def _hints(cls, hints: list[str]) -> list[str]:
        hints = _clean_hints(hints)
        if any(len(hint) > HINT_MAX_CHARS for hint in hints):
            raise ValueError(f"a hint is longer than {HINT_MAX_CHARS} characters")
        return hints


class ProblemHintLevel(BaseModel):
    title: Literal["approach", "insight", "pitfalls", "implementation", "edge cases"]
    hint: str = Field(min_length=1, max_length=2000)


class ProblemHintLevels(BaseModel):
    """Progressive hints: approach → insight → pitfalls → implementation."""

    levels: list[ProblemHintLevel] = Field(min_length=3, max_length=5)
