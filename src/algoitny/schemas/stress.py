"""Counterexample search API models (`CounterexampleRead` lives beside `SubmissionRead`): a problem's stress setup (admin), a search's result,
and the requests that start one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from algoitny.domain import Platform
from algoitny.schemas.common import Identifier, LanguageName, StrictInt, StrictModel
from algoitny.schemas.executions import Code, QuotaUsage

MAX_SIZE = 1000  # sizes the generator is asked for: the search starts small and stops early


class StressSizes(StrictModel):
    min: StrictInt = Field(ge=1, le=MAX_SIZE, description="The smallest size the search asks for.")
    max: StrictInt = Field(ge=1, le=MAX_SIZE, description="The largest; at least `min`.")

    @model_validator(mode="after")
    def _ordered(self) -> StressSizes:
        if self.min > self.max:
            raise ValueError("sizes.min may not exceed sizes.max")
        return self


class StressSetupWrite(StrictModel):
    """A generator (Python: reads `"<size> <seed>\\n"`, prints one input), an optional
    validator (Python: reads an input, exits 0 when it is valid) and the sizes to search."""

    generator: Code
    validator: Code | None = None
    sizes: StressSizes


class StressSetupRead(BaseModel):
    generator: str
    validator: str | None
    sizes: StressSizes


class CounterexampleSearchAccepted(BaseModel):
    status: Literal["searching"]
    usage: QuotaUsage
    websocket: str = Field(
        description="The submission's event stream: `counterexample_progress`, then "
        "`counterexample` or `counterexample_none`."
    )


class StressRequest(StrictModel):
    """Code to stress-test against a problem's reference solution (not judged, not stored)."""

    platform: Platform
    problem_identifier: Identifier
    code: Code
    language: LanguageName
