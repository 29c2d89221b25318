"""Reference-solution job (admin, needs the model): ask for a solution from the
statement and samples, judge it on the samples in the sandbox, send the failure
back to the model, and store it on the problem only once it passes every sample."""

from __future__ import annotations

from typing import Any

from algoitny.ai import AiBadAnswer, AiCallFailed, SolutionAnswer, Task
from algoitny.ai.prompts import SOLUTION_SYSTEM, PreviousAttempt, cut, solution_prompt
from algoitny.domain import Caller, GenerationJob, JobKind, Problem, TestCase
from algoitny.errors import AiUnavailable, ProblemHasNoSamples
from algoitny.executor import TestCase as ExecutorTestCase
from algoitny.executor import compile_source, run_tests
from algoitny.resources import Resources
from algoitny.services import ai_jobs
from algoitny.services.ai_jobs import JobFailed, JobRun, samples_of
from algoitny.services.judge import checker_for, limits_for

STORE_STEP = "store"


async def start(resources: Resources, caller: Caller, *, platform: str, identifier: str) -> GenerationJob:
    if resources.ai is None:
        raise AiUnavailable(
            "No AI model is configured here: add the reference solution yourself (PATCH the problem)."
        )
    problem = await resources.problems.get(platform=platform, identifier=identifier)
    if not await resources.test_cases.list_samples(platform=platform, identifier=identifier):
        raise ProblemHasNoSamples("Add sample test cases first: a solution is only kept if it passes them.")
    job = ai_jobs.new_job(
        caller, JobKind.REFERENCE_SOLUTION, problem, max_attempts=resources.settings.ai.max_attempts
    )
    return await ai_jobs.start(resources, job)


async def judge_on_samples(language: str, code: str, problem: Problem, samples: list[TestCase]) -> str | None:
    """None when the code passes every sample; otherwise what went wrong, for the model."""
    compiled = await compile_source(language, code)
    try:
        if not compiled.ok:
            return f"It does not compile:\n{compiled.message[:2000]}"
        tests = [
            ExecutorTestCase(name=str(i), input=s.input.encode(), expected=s.output.encode())
            for i, s in enumerate(samples)
        ]
        failures = []
        async for result in run_tests(compiled, tests, limits_for(problem), checker_for(problem)):
            if result.verdict.value != "AC":
                sample = samples[int(result.name)]
                failures.append((int(result.name), result, sample))
        if not failures:
            return None
        index, result, sample = min(failures, key=lambda f: f[0])
        return (
            f"Sample {index + 1}: {result.verdict.value}.\nInput:\n{cut(sample.input, 800)}\n"
            f"Expected:\n{cut(sample.output, 800)}\nYour output:\n{cut(result.stdout_excerpt, 800)}\n"
            f"stderr:\n{cut(result.stderr_excerpt, 800)}"
        )
    finally:
        await compiled.cleanup()


class ReferenceSolutionGeneration(JobRun):
    async def steps(self) -> dict[str, Any]:
        bundle = await self.resources.problems.get_with_test_cases(
            platform=self.job.platform, identifier=self.job.identifier
        )
        problem, samples = bundle.problem, samples_of(bundle.test_cases)
        if not samples:
            raise JobFailed("The problem has no samples to check a solution against.")
        if self.job.step == STORE_STEP and self.job.script:  # resumed after the solution passed
            return await self._store(problem, self.job.script_source or "python", self.job.script)
        provider = self.resources.ai
        if provider is None:
            raise JobFailed("No AI model is configured here.")
        while self.job.attempts < self.job.max_attempts:
            previous = None
            if self.job.previous_error:
                previous = PreviousAttempt(self.job.previous_answer or "", self.job.previous_error)
            await self.save(step="solution", attempts=self.job.attempts + 1)
            error: str | None
            try:
                answer = await provider.generate(
                    Task.SOLUTION,
                    solution_prompt(problem, samples, previous),
                    SolutionAnswer,
                    system=SOLUTION_SYSTEM,
                )
            except AiCallFailed as exc:
                raise JobFailed(f"The model could not be reached: {exc}") from exc
            except AiBadAnswer as exc:
                error, code, language = str(exc), exc.text[:20_000], None
            else:
                await self.save(tokens=self.job.tokens + answer.usage.total_tokens)
                language, code = answer.value.language, answer.value.code
                await self.publish({"type": "solution", "attempt": self.job.attempts, "language": language})
                await self.progress("judge", 0, len(samples))
                error = await judge_on_samples(language, code, problem, samples)
                if error is None:
                    await self.save(step=STORE_STEP, script=code, script_source=language)
                    return await self._store(problem, language, code)
            await self.publish({"type": "attempt_failed", "attempt": self.job.attempts, "error": error})
            await self.save(previous_answer=code, previous_error=error)
        raise JobFailed(
            f"No solution passed the samples in {self.job.max_attempts} tries. "
            f"Last problem: {self.job.previous_error}"
        )

    async def _store(self, problem: Problem, language: str, code: str) -> dict[str, Any]:
        await self.resources.problems.update(
            platform=problem.platform,
            identifier=problem.identifier,
            changes={"solution_code": code, "solution_language": language},
        )
        await self.publish({"type": "stored", "language": language})
        return {}


async def generate_reference_solution(ctx: dict[str, Any], job_id: str) -> str | None:
    """arq job."""
    return await ai_jobs.run_in_worker(ctx["resources"], job_id, ReferenceSolutionGeneration)
