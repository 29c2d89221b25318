"""Which languages this judge runs: what the live workers announce they can judge."""

from __future__ import annotations

from fastapi import APIRouter

from algoitny.deps import ResourcesDep
from algoitny.executor.languages import ALL
from algoitny.routes.responses import errors
from algoitny.schemas.executions import LanguageRead
from algoitny.services import workers

router = APIRouter(prefix="/api/languages", tags=["judging"])

NO_WORKER = "no judging worker is running"
NO_TOOLCHAIN = "no live worker has its toolchain"


@router.get("", response_model=list[LanguageRead], responses=errors())
async def list_languages(resources: ResourcesDep) -> list[LanguageRead]:
    """Every language the judge knows, available when some live worker can judge it
    (the API host's own disk does not matter). 503 when Redis, which holds the workers'
    announcements, is down."""
    alive = await workers.live(resources.redis, resources.settings.redis.queue_name)
    judged = workers.judged_languages(alive)
    reason = NO_TOOLCHAIN if alive else NO_WORKER
    return [
        LanguageRead(
            id=language.id,
            name=language.name,
            available=language.id in judged,
            reason="" if language.id in judged else reason,
        )
        for language in ALL
    ]
