"""Which languages this judge runs."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from algoitny.executor import languages
from algoitny.routes.responses import errors
from algoitny.schemas.executions import LanguageRead

router = APIRouter(prefix="/api/languages", tags=["judging"])


@router.get("", response_model=list[LanguageRead], responses=errors())
async def list_languages() -> list[LanguageRead]:
    """Every language, with whether its toolchain is installed on this judge."""
    found = await asyncio.to_thread(languages)  # probes toolchains on disk
    return [LanguageRead(id=i.id, name=i.name, available=i.available, reason=i.reason) for i in found]
