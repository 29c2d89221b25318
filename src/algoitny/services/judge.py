"""Judging one submission in the worker: compile once, run every test, stream, store.

Safe to run more than once for the same submission (arq may; a crashed
worker's job is resumed by another). What makes it so:

- each finished test's result goes into the task's Redis results hash in the
  same MULTI as its ``test`` event, so a rerun knows exactly which tests were
  published, skips them, and never publishes one twice;
- results are stored under their index (``RES#{index}``): rewriting is harmless;
- the final transaction is conditioned on the submission not being done, so
  counters move once;
- ``queued``/``compiling``/``compiled``/``done`` are published only if the
  stream does not already hold them.

Table writes on the normal path: the submission's put (at submit), one
BatchWrite per 25 results, and the final transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Iterator
from dataclasses import asdict
from typing import Any

from algoitny.domain import Problem, Submission, SubmissionStatus, Summary, TestCase, TestRecord
from algoitny.errors import ProblemNotFound, SubmissionNotFound
from algoitny.executor import Checker, CompileResult, Limits, TestResult, compile_source, run_tests
from algoitny.executor import TestCase as ExecutorTestCase
from algoitny.observability import jobs as observed
from algoitny.observability import logs, metrics
from algoitny.resources import Resources
from algoitny.services import counterexample
from algoitny.services.result_sink import ResultSink
from algoitny.table.payloads import PackedTestCase

log = logging.getLogger(__name__)

EXCERPT_CHARS = 4096
FULL_OUTPUT_MAX = 256 * 1024
DETAILED_FAILURES = 10  # failed tests that keep the counterexample (input, expected, full output)


def checker_for(problem: Problem) -> Checker:
    spec = problem.checker
    name = spec.get("name", "lines")
    if name == "custom":
        return Checker(name="custom", source=spec["source"], language=spec["language"])
    args = {}
    if name == "float":
        args = {"abs": str(spec.get("abs_tol", 1e-6)), "rel": str(spec.get("rel_tol", 1e-6))}
    return Checker(name=name, args=args)


def limits_for(problem: Problem) -> Limits:
    return Limits(time_limit_s=problem.time_limit_ms / 1000, memory_mb=problem.memory_limit_mb)


def _cut(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit]


def to_record(result: TestResult, test_case: TestCase | PackedTestCase, *, detailed: bool) -> TestRecord:
    passed = result.verdict.value == "AC"
    record = TestRecord(
        index=int(result.name),
        test_case_id=test_case.test_case_id,
        verdict=result.verdict.value,
        passed=passed,
        cpu_ms=result.cpu_ms,
        wall_ms=result.wall_ms,
        memory_kb=result.memory_kb,
        exit_code=result.exit_code,
        signal=result.signal,
        output=result.stdout_excerpt,
        error=result.stderr_excerpt,
        checker_message=_cut(result.checker_message, 1024),
        first_difference=asdict(result.first_difference) if result.first_difference else None,
    )
    if detailed and not passed:
        # result.stdout is already only the head of the output (OUTPUT_HEAD_BYTES).
        output = result.stdout[:FULL_OUTPUT_MAX].decode(errors="replace")
        record.input_excerpt = _cut(test_case.input)
        record.expected_excerpt = _cut(test_case.output)
        record.full_output = output[:FULL_OUTPUT_MAX]
        record.output_truncated = result.stdout_size > FULL_OUTPUT_MAX or len(output) > FULL_OUTPUT_MAX
    return record


def test_event(record: TestRecord) -> dict[str, Any]:
    return {
        "type": "test",
        "index": record.index,
        "test_case_id": record.test_case_id,
        "verdict": record.verdict,
        "passed": record.passed,
        "cpu_ms": record.cpu_ms,
        "wall_ms": record.wall_ms,
        "memory_kb": record.memory_kb,
    }


def summarize(records: list[TestRecord], total: int) -> Summary:
    ordered = sorted(records, key=lambda r: r.index)
    first_failure = next((r for r in ordered if not r.passed), None)
    return Summary(
        verdict=first_failure.verdict if first_failure else "AC",
        passed=sum(r.passed for r in ordered),
        failed=sum(not r.passed for r in ordered),
        total=total,
        max_cpu_ms=max((r.cpu_ms for r in ordered), default=0),
        max_memory_kb=max((r.memory_kb for r in ordered), default=0),
    )


def done_event(summary: Summary, counterexample: str | None = None) -> dict[str, Any]:
    """``counterexample="searching"``: a counterexample search follows, and the stream
    goes on until its ``counterexample``/``counterexample_none`` (docs/events.md)."""
    event: dict[str, Any] = {"type": "done", "summary": asdict(summary)}
    if counterexample is not None:
        event["counterexample"] = counterexample
    return event


class Judgement:
    """One run of the judge job for one submission."""

    def __init__(self, resources: Resources, submission: Submission) -> None:
        self.resources = resources
        self.submission = submission
        self.task_id = submission.submission_id
        self.published: set[str] = set()
        self.problem: Problem | None = None

    async def publish_once(self, event: dict[str, Any]) -> None:
        if event["type"] not in self.published:
            await self.resources.events.publish(self.task_id, event)
            self.published.add(event["type"])

    async def run(self) -> Summary:
        events = self.resources.events
        # The compile needs only the submission: it runs while the problem, its test cases
        # and what an earlier run of this job published are read.
        compiling = asyncio.ensure_future(self._compile())
        try:
            history, finished = await asyncio.gather(
                events.history(self.task_id), events.finished_results(self.task_id)
            )
            self.published = {e["type"] for e in history}
            try:
                # Test cases stay compressed; each is unpacked only while it runs (see _judge_tests).
                problem, tests = await self.resources.problems.get_for_judging(
                    platform=self.submission.platform, identifier=self.submission.identifier
                )
            except ProblemNotFound:
                await _discard(compiling)
                return await self.finish(Summary("IE", 0, 0, 0, compile_message="The problem was deleted."))
            self.problem = problem
            await self.publish_once({"type": "compiling"})
            compiled = await compiling
        except BaseException:
            await _discard(compiling)
            raise
        try:
            if not compiled.ok:
                verdict = compiled.verdict.value if compiled.verdict else "CE"
                await self.publish_once(
                    {"type": "compile_error", "verdict": verdict, "message": compiled.message}
                )
                summary = Summary(verdict, 0, len(tests), len(tests), compile_message=compiled.message)
                return await self.finish(summary)
            # The first test starts now; its event waits for ``compiled`` (ResultSink's ``after``).
            announced = self.publish_once({"type": "compiled", "message": compiled.message[:EXCERPT_CHARS]})
            records = await self._judge_tests(compiled, problem, tests, finished, announced)
        finally:
            await compiled.cleanup()
        return await self.finish(summarize(records, len(tests)))

    async def _compile(self) -> CompileResult:
        language = self.submission.language
        started = time.perf_counter()
        compiled = await compile_source(language, self.submission.code)
        compile_s = time.perf_counter() - started
        metrics.compile_duration.labels(language).observe(compile_s)
        log.info("compiled", extra={"ok": compiled.ok, "compile_ms": round(compile_s * 1000, 1)})
        return compiled

    async def _judge_tests(
        self,
        compiled: CompileResult,
        problem: Problem,
        tests: list[PackedTestCase],
        finished: dict[int, dict[str, Any]],
        announced: Awaitable[None],
    ) -> list[TestRecord]:
        """``finished``: the results an earlier run published (skipped); ``announced``: the
        ``compiled`` event, published before the first test's."""
        records = [TestRecord(**fields) for fields in finished.values()]
        detailed = sum(1 for r in records if r.input_excerpt is not None)
        timer = observed.TestTimer(self.submission.language)
        sink = ResultSink(
            self.resources.events,
            self.resources.submissions,
            self.task_id,
            event_of=test_event,
            unsaved=records,  # a rerun cannot know which were stored; rewriting is harmless
            after=announced,
        )

        def remaining() -> Iterator[ExecutorTestCase]:
            # A generator: the runner pulls a test as a slot frees, so only the tests in flight
            # are held decompressed — and the pull is when that test's run starts.
            for index, tc in enumerate(tests):
                if index not in finished:
                    timer.started(index)
                    yield ExecutorTestCase(
                        name=str(index), input=tc.input_bytes(), expected=tc.output_bytes()
                    )

        slots = self.resources.settings.judge.slots
        try:
            # Nothing in this loop waits: the runner refills a freed slot at once (ResultSink).
            async for result in run_tests(
                compiled, remaining(), limits_for(problem), checker_for(problem), slots
            ):
                index = int(result.name)
                timer.finished(index, result.verdict.value, result.wall_ms)
                record = to_record(result, tests[index], detailed=detailed < DETAILED_FAILURES)
                detailed += record.input_excerpt is not None
                sink.add(record)
                records.append(record)
        except BaseException:
            await sink.abort()
            raise
        finally:
            timer.close()
        # Every test is published and stored before the submission may be finished.
        await asyncio.gather(sink.close(), compiled.cleanup())
        return records

    async def finish(self, summary: Summary) -> Summary:
        logs.bind(verdict=summary.verdict)
        finished = await self.resources.submissions.finish(self.submission, summary)
        if finished:
            observed.submission_finished(self.submission.language, summary.verdict)
            log.info("judged", extra={"passed": summary.passed, "total": summary.total})
        await self.publish_done(summary)
        if finished:
            # After ``done``: the client need not wait for a statistic. A crash between the
            # commit and this count loses the count, as it always could (reruns never count).
            await self.resources.stats.count("executions", *(["accepted"] if summary.verdict == "AC" else []))
        return summary

    async def publish_done(self, summary: Summary) -> None:
        """``done`` (saying whether a counterexample search follows), then that search's job."""
        searching = await counterexample.after_judging(self.resources, self.submission, summary, self.problem)
        await self.publish_once(done_event(summary, searching))
        await self.resources.events.retire(self.task_id)
        if searching:
            await counterexample.enqueue_started(self.resources, self.task_id)


async def _discard(compiling: asyncio.Future[CompileResult]) -> None:
    """Stops a compile whose result is not wanted, and removes its artifact if it finished."""
    compiling.cancel()
    await asyncio.wait([compiling])
    if not compiling.cancelled() and compiling.exception() is None:
        await compiling.result().cleanup()


async def judge_submission(resources: Resources, submission_id: str) -> Summary | None:
    """Judges (or finishes judging) the submission. Errors propagate: the job retries."""
    try:
        submission = await resources.submissions.get(submission_id, consistent=True)
    except SubmissionNotFound:
        log.warning("submission %s not found; nothing to judge", submission_id)
        return None
    logs.bind(user_id=submission.user_id, language=submission.language)
    judgement = Judgement(resources, submission)
    if submission.status == SubmissionStatus.DONE:
        # Finished, but the worker may have died before publishing ``done``.
        judgement.published = {e["type"] for e in await resources.events.history(submission_id)}
        summary = submission.summary()
        await judgement.publish_done(summary)
        return summary
    return await judgement.run()


async def give_up(resources: Resources, submission_id: str, message: str) -> Summary:
    """After the last retry: the submission ends as an internal error, and says so."""
    submission = await resources.submissions.get(submission_id, consistent=True)
    logs.bind(user_id=submission.user_id, language=submission.language)
    judgement = Judgement(resources, submission)
    judgement.published = {e["type"] for e in await resources.events.history(submission_id)}
    return await judgement.finish(Summary("IE", 0, 0, 0, compile_message=message))
