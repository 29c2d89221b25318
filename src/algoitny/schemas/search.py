"""Search API models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from algoitny.schemas.problems import ProblemRead


class ProblemSearchItem(ProblemRead):
    """A problem as the problem list shows it, plus its title with the matches marked."""

    title_highlight: str = Field(
        description="The title, HTML-escaped, with each part the query matched inside `<mark>…</mark>`.",
        examples=["<mark>최단</mark>경로 구하기"],
    )


class ProblemSearchPage(BaseModel):
    items: list[ProblemSearchItem] = Field(description="Best match first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; `null` at the end.")
