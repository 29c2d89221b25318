"""The ``import-legacy`` subcommand: arguments, the run, the report, the exit status."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from algoitny.legacy.context import ORDER, Entity


def entities(text: str) -> list[Entity]:
    try:
        return [Entity(name.strip()) for name in text.split(",") if name.strip()]
    except ValueError as exc:
        known = ",".join(e.value for e in ORDER)
        raise argparse.ArgumentTypeError(f"{exc}; known entities: {known}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", required=True, help="postgresql://user:pass@host:port/db of the old system"
    )
    parser.add_argument("--only", type=entities, default=list(ORDER), help="entities, comma-separated")
    parser.add_argument("--batch", type=int, default=500, help="rows per batch (default 500)")
    parser.add_argument("--concurrency", type=int, default=16, help="table writes in flight (default 16)")
    parser.add_argument(
        "--dry-run", action="store_true", help="read, map, validate and report; write nothing"
    )
    parser.add_argument("--verify-only", action="store_true", help="only compare an existing import")
    parser.add_argument("--no-verify", action="store_true", help="skip the verification after importing")
    parser.add_argument("--report", type=Path, help="write the JSON report here")


async def run(args: argparse.Namespace) -> int:
    from algoitny.legacy.context import ImportContext
    from algoitny.legacy.importer import Importer
    from algoitny.legacy.source import LegacySource
    from algoitny.resources import open_dynamodb
    from algoitny.settings import get_settings
    from algoitny.table import Table

    settings = get_settings()
    source = await LegacySource.connect(args.source)
    try:
        async with open_dynamodb(settings.table) as client:
            ctx = ImportContext(
                source, Table(client, settings.table.name), dry_run=args.dry_run, concurrency=args.concurrency
            )
            report = await Importer(ctx, batch=args.batch).run(
                args.only, verify=not args.no_verify, verify_only=args.verify_only
            )
    finally:
        await source.close()
    text = report.dumps()
    if args.report:
        await asyncio.to_thread(args.report.write_text, text + "\n")
    for name, entity in report.entities.items():
        verified = "" if entity.verify is None else f" verified={entity.verify.get('ok')}"
        print(
            f"{name}: source={entity.source_rows} imported={entity.imported} existing={entity.existing} "
            f"skipped={entity.skipped} warnings={entity.warnings}{verified}",
            file=sys.stderr,
        )
    return 0 if report.clean else 1


def main(args: argparse.Namespace) -> int:
    return asyncio.run(run(args))
