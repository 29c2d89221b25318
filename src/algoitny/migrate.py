"""Runs the numbered steps of ``migrations/`` that the table has not recorded yet."""

from __future__ import annotations

import importlib
import logging
import pkgutil
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import migrations
from migrations.steps import table_exists

from algoitny.table import MigrationLog, Table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    module: ModuleType


def discover() -> list[Step]:
    steps = []
    for info in pkgutil.iter_modules(migrations.__path__):
        prefix, _, _ = info.name.partition("_")
        if not prefix.isdigit():
            continue
        module = importlib.import_module(f"migrations.{info.name}")
        steps.append(Step(int(prefix), module.NAME, module))
    steps.sort(key=lambda s: s.number)
    numbers = [s.number for s in steps]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migration steps share a number: {numbers}")
    return steps


async def migrate(client: Any, table_name: str) -> list[Step]:
    """Applies pending steps in order and returns the ones it applied."""
    log_ = MigrationLog(Table(client, table_name))
    applied = await log_.applied() if await table_exists(client, table_name) else set()
    ran = []
    for step in discover():
        if step.number in applied:
            continue
        log.info("applying migration %04d: %s", step.number, step.name)
        await step.module.apply(client, table_name)
        await log_.record(step.number, step.name)
        ran.append(step)
    return ran
