"""Test-case generation: a generator script (an admin's, or the model's) run in the
sandbox for inputs of sizes small, medium and max; the reference solution run in
the sandbox for the expected outputs; the cases stored in batches.

Neither the script nor the solution ever runs in the worker process: both go
through the executor (``compile_source`` + ``run_once``) with limits. An input on
which the reference solution fails, or prints nothing, is dropped and reported —
never stored with an empty expected output. When the model's script fails
(does not compile, crashes, loops, floods its output, prints nothing), the model
is asked again with that error, up to ``AiSettings.max_attempts`` answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from algoitny.ai import AiBadAnswer, AiCallFailed, GeneratorScript, Task
from algoitny.ai.prompts import GENERATOR_SYSTEM, PreviousAttempt, generator_prompt
from algoitny.domain import Caller, GenerationJob, JobKind, NewTestCase, Problem, TestCaseKind
from algoitny.errors import AiUnavailable, ReferenceSolutionMissing
from algoitny.executor import Limits, Verdict, compile_source, run_once
from algoitny.resources import Resources
from algoitny.services import ai_jobs, counterexample
from algoitny.services.ai_jobs import JobFailed, JobRun, samples_of
from algoitny.services.judge import limits_for

SIZES = ("small", "medium", "max")
DEFAULT_COUNTS = {"small": 4, "medium": 3, "max": 2}
STORE_BATCH = 50
ERROR_EXCERPT = 2000


@dataclass
class GeneratedInput:
    size: str
    seed: int
    text: str


class GeneratorFailed(Exception):
    pass


async def start(
    resources: Resources,
    caller: Caller,
    *,
    platform: str,
    identifier: str,
    script: str | None,
    counts: dict[str, int] | None,
) -> GenerationJob:
    problem = await resources.problems.get(platform=platform, identifier=identifier)
    if not problem.solution_code or not problem.solution_language:
        raise ReferenceSolutionMissing("Add a reference solution first: it computes the expected outputs.")
    if script is None and resources.ai is None:
        raise AiUnavailable("No AI model is configured here: supply `generator_script` yourself.")
    job = ai_jobs.new_job(
        caller,
        JobKind.TEST_CASES,
        problem,
        counts=counts or dict(DEFAULT_COUNTS),
        script=script,
        script_source="admin" if script is not None else None,
        max_attempts=1 if script is not None else resources.settings.ai.max_attempts,
    )
    return await ai_jobs.start(resources, job)


def _failure(run, what: str, limits: Limits) -> str | None:
    """Why a sandboxed run is unusable, in words the model (and an admin) can act on."""
    verdict = run.verdict
    if verdict == Verdict.AC:
        return None
    if verdict == Verdict.TLE:
        return (
            f"{what} ran out of time (limit {limits.time_limit_s:g} s of CPU): an endless loop, or too slow."
        )
    if verdict == Verdict.MLE:
        return f"{what} ran out of memory (limit {limits.memory_mb} MiB)."
    if verdict == Verdict.OLE:
        return f"{what} printed more than {limits.output_bytes} bytes (or too much on stderr)."
    how = f"signal {run.signal}" if run.signal else f"exit code {run.exit_code}"
    return f"{what} crashed ({verdict.value}, {how}). stderr:\n{run.stderr_excerpt[:ERROR_EXCERPT]}"


class TestCaseGeneration(JobRun):
    __test__ = False

    async def steps(self) -> dict[str, Any]:
        bundle = await self.resources.problems.get_with_test_cases(
            platform=self.job.platform, identifier=self.job.identifier
        )
        problem = bundle.problem
        if not problem.solution_code or not problem.solution_language:
            raise JobFailed("The problem has no reference solution.")
        inputs = await self._inputs(problem, samples_of(bundle.test_cases))
        cases, dropped = await self._expected_outputs(problem, inputs)
        if not cases:
            await self.save(dropped=dropped)
            raise JobFailed(
                f"The reference solution failed on every generated input ({len(dropped)} dropped)."
            )
        added, existing = 0, 0
        for start in range(0, len(cases), STORE_BATCH):
            result = await self.resources.test_cases.add_many(
                platform=problem.platform,
                identifier=problem.identifier,
                new_cases=cases[start : start + STORE_BATCH],
            )
            added, existing = added + len(result.added), existing + len(result.existing)
            await self.progress("store", min(start + STORE_BATCH, len(cases)), len(cases))
        await self.publish({"type": "stored", "added": added, "existing": existing, "dropped": dropped})
        if self.job.script:  # the generator that worked becomes the problem's stress setup, if it has none
            await self.resources.stress.save_setup(
                platform=problem.platform,
                identifier=problem.identifier,
                setup=counterexample.adapted_generator(self.job.script),
                source="generation",
                replace=False,
            )
        return {"added": added, "existing": existing, "dropped": dropped}

    async def _inputs(self, problem: Problem, samples) -> list[GeneratedInput]:
        """The generator's inputs; with the model, a failing script is sent back with its error."""
        while True:
            if self.job.script is None:
                await self._ask_model(problem, samples)
            await self.publish(
                {"type": "script", "source": self.job.script_source, "attempt": self.job.attempts}
            )
            try:
                script = self.job.script
                if script is None:  # _ask_model sets it or raises
                    raise JobFailed("No generator script to run.")
                return await self._run_generator(script)
            except GeneratorFailed as exc:
                error = str(exc)
                if self.job.script_source != "ai" or self.job.attempts >= self.job.max_attempts:
                    raise JobFailed(f"The generator script failed: {error}") from exc
                await self.publish({"type": "attempt_failed", "attempt": self.job.attempts, "error": error})
                await self.save(script=None, previous_answer=self.job.script, previous_error=error)

    async def _ask_model(self, problem: Problem, samples) -> None:
        provider = self.resources.ai
        if provider is None:
            raise JobFailed("No AI model is configured here; supply a generator script.")
        while True:
            previous = None
            if self.job.previous_error:
                previous = PreviousAttempt(self.job.previous_answer or "", self.job.previous_error)
            await self.save(step="script", attempts=self.job.attempts + 1)
            try:
                answer = await provider.generate(
                    Task.GENERATOR,
                    generator_prompt(problem, samples, previous),
                    GeneratorScript,
                    system=GENERATOR_SYSTEM,
                )
            except AiCallFailed as exc:
                raise JobFailed(f"The model could not be reached: {exc}") from exc
            except AiBadAnswer as exc:
                await self.save(previous_answer=exc.text[:20_000], previous_error=str(exc))
                if self.job.attempts >= self.job.max_attempts:
                    raise JobFailed(f"The model's answer was unusable: {exc}") from exc
                await self.publish(
                    {"type": "attempt_failed", "attempt": self.job.attempts, "error": str(exc)}
                )
                continue
            await self.save(
                script=answer.value.script,
                script_source="ai",
                tokens=self.job.tokens + answer.usage.total_tokens,
            )
            return

    async def _run_generator(self, script: str) -> list[GeneratedInput]:
        settings = self.resources.settings.ai
        limits = Limits(
            time_limit_s=settings.generator_time_limit_ms / 1000,
            memory_mb=settings.generator_memory_mb,
            output_bytes=settings.generator_output_bytes,
            stderr_bytes=64 * 1024,
        )
        plan = [(size, seed) for size in SIZES for seed in range(1, self.job.counts.get(size, 0) + 1)]
        compiled = await compile_source("python", script)
        try:
            if not compiled.ok:
                raise GeneratorFailed(f"it does not compile:\n{compiled.message[:ERROR_EXCERPT]}")
            inputs: list[GeneratedInput] = []
            seen: set[str] = set()
            for done, (size, seed) in enumerate(plan, start=1):
                run = await run_once(compiled, f"{size} {seed}\n".encode(), limits)
                problem = _failure(run, f"On stdin `{size} {seed}` it", limits)
                if problem:
                    raise GeneratorFailed(problem)
                text = run.stdout.decode(errors="replace")
                if not text.strip():
                    raise GeneratorFailed(f"On stdin `{size} {seed}` it printed nothing.")
                normalized = "\n".join(line.rstrip() for line in text.strip().splitlines())
                if normalized not in seen:  # deduplicate
                    seen.add(normalized)
                    inputs.append(GeneratedInput(size, seed, text if text.endswith("\n") else text + "\n"))
                await self.progress("generate", done, len(plan))
            return inputs
        finally:
            await compiled.cleanup()

    async def _expected_outputs(self, problem: Problem, inputs: list[GeneratedInput]):
        limits = limits_for(problem)
        if not problem.solution_code or not problem.solution_language:
            raise JobFailed("The problem has no reference solution.")
        compiled = await compile_source(problem.solution_language, problem.solution_code)
        try:
            if not compiled.ok:
                raise JobFailed(
                    f"The reference solution does not compile:\n{compiled.message[:ERROR_EXCERPT]}"
                )
            cases: list[NewTestCase] = []
            dropped: list[dict[str, Any]] = []
            for done, generated in enumerate(inputs, start=1):
                run = await run_once(compiled, generated.text.encode(), limits)
                reason = _failure(run, "The reference solution", limits)
                output = run.stdout.decode(errors="replace")
                if reason is None and not output.strip():
                    reason = "The reference solution printed nothing."
                if reason:
                    dropped.append({"size": generated.size, "seed": generated.seed, "reason": reason[:500]})
                else:
                    cases.append(
                        NewTestCase(input=generated.text, output=output, kind=TestCaseKind.GENERATED)
                    )
                await self.progress("reference", done, len(inputs))
            for drop in dropped:
                await self.publish({"type": "dropped", **drop})
            return cases, dropped
        finally:
            await compiled.cleanup()


async def generate_test_cases(ctx: dict[str, Any], job_id: str) -> str | None:
    """arq job."""
    return await ai_jobs.run_in_worker(ctx["resources"], job_id, TestCaseGeneration)
