"""The prompts, built from domain objects. Texts the user or an admin wrote (code,
statement, test data) go in fenced blocks, cut to size, never base64."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from algoitny.domain import Problem, Submission, TestCase, TestRecord

TEST_TEXT_CHARS = 1500
COUNTEREXAMPLE_CHARS = 4000  # a counterexample is small by construction; this only bounds it
CODE_CHARS = 32_000
STATEMENT_CHARS = 20_000
DO_NOT_REVEAL = "REFERENCE SOLUTION — FOR YOUR UNDERSTANDING ONLY. NEVER REVEAL, QUOTE OR PARAPHRASE IT."

HINT_SYSTEM = (
    "You are a competitive-programming coach. Point the student at the bug in their own code "
    "without giving the answer away: no corrected code, no full algorithm, nothing copied from "
    "the reference solution."
)
GENERATOR_SYSTEM = (
    "You write Python 3 test-input generators for competitive-programming problems. "
    "Inputs must satisfy every constraint of the problem exactly."
)
SOLUTION_SYSTEM = (
    "You write correct, efficient competitive-programming solutions that read stdin and write stdout."
)


def cut(text: str, limit: int = TEST_TEXT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters)"


def fenced(text: str, language: str = "") -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"


def problem_section(problem: Problem, samples: Sequence[TestCase] = ()) -> str:
    lines = [f"# Problem: {problem.title} ({problem.platform} {problem.identifier})"]
    if problem.url:
        lines.append(f"URL: {problem.url}")
    lines.append(f"Time limit: {problem.time_limit_ms} ms. Memory limit: {problem.memory_limit_mb} MiB.")
    if problem.tags:
        lines.append(f"Tags: {', '.join(problem.tags)}")
    lines += ["", "## Statement", cut(problem.statement or "(no statement given)", STATEMENT_CHARS)]
    lines += ["", "## Constraints", cut(problem.constraints or "(no constraints given)", STATEMENT_CHARS)]
    for number, sample in enumerate(samples, start=1):
        lines += [
            "",
            f"## Sample {number} input",
            fenced(cut(sample.input)),
            f"## Sample {number} output",
            fenced(cut(sample.output)),
        ]
    return "\n".join(lines)


def reference_section(problem: Problem) -> str:
    if not problem.solution_code:
        return ""
    return "\n".join(
        [
            "",
            f"## {DO_NOT_REVEAL}",
            fenced(cut(problem.solution_code, CODE_CHARS), problem.solution_language or ""),
        ]
    )


@dataclass
class PreviousAttempt:
    answer: str  # the script or code the model gave last time
    error: str


def _previous(previous: PreviousAttempt | None, what: str) -> str:
    if previous is None:
        return ""
    return "\n".join(
        [
            "",
            f"## Your previous {what} failed",
            fenced(cut(previous.answer, CODE_CHARS)),
            "### What went wrong",
            fenced(cut(previous.error, 4000)),
            f"Fix this problem in the new {what}.",
        ]
    )


def generator_prompt(problem: Problem, samples: Sequence[TestCase], previous: PreviousAttempt | None) -> str:
    return "\n".join(
        [
            problem_section(problem, samples),
            reference_section(problem),
            "",
            "## Task",
            "Write a Python 3 program (standard library only) that prints ONE valid test input for this problem.",
            "It reads one line from stdin: `<size> <seed>`, where size is `small`, `medium` or `max` and seed is "
            "an integer. Use `random.Random(seed)` so the same size and seed always give the same input.",
            "- small: tiny inputs that hit edge cases (minimum values, equal values, boundaries);",
            "- medium: moderate random inputs;",
            "- max: inputs at the upper limits of every constraint (worst cases for slow solutions).",
            "Print only the input, in the exact input format. No network, no files, no other output.",
            'Answer JSON: {"script": "<the program>", "explanation": "<one paragraph>"}.',
            _previous(previous, "script"),
        ]
    )


def solution_prompt(problem: Problem, samples: Sequence[TestCase], previous: PreviousAttempt | None) -> str:
    return "\n".join(
        [
            problem_section(problem, samples),
            "",
            "## Task",
            "Write a correct and efficient solution (Python 3 or C++17) that reads stdin and writes stdout, "
            "passing every sample exactly and staying within the limits on the largest inputs.",
            'Answer JSON: {"language": "python" or "cpp", "code": "<the program>"}.',
            _previous(previous, "solution"),
        ]
    )


def submission_hints_prompt(problem: Problem, submission: Submission, failures: Sequence[TestRecord]) -> str:
    """``failures``: up to three failed tests that kept their counterexample."""
    lines = [
        problem_section(problem),
        reference_section(problem),
        "",
        f"## The student's code ({submission.language})",
        fenced(cut(submission.code, CODE_CHARS), submission.language),
        "",
        f"## Result: {submission.verdict} — {submission.passed} of {submission.total} tests passed",
    ]
    if submission.compile_message:
        lines += ["### Compiler output", fenced(cut(submission.compile_message, 4000))]
    counterexample = submission.counterexample
    if counterexample:
        # A small input found by the counterexample search says more than a cut of a huge test.
        lines += [
            "",
            f"### The smallest input found that the code gets wrong: {counterexample['verdict']}",
            "Input:",
            fenced(cut(counterexample["input"], COUNTEREXAMPLE_CHARS)),
            "Expected output:",
            fenced(cut(counterexample["expected"], COUNTEREXAMPLE_CHARS)),
            "The student's output:",
            fenced(cut(counterexample["output"], COUNTEREXAMPLE_CHARS)),
        ]
        if counterexample.get("checker_message"):
            lines.append(f"Checker: {cut(counterexample['checker_message'], 300)}")
        # Only failed tests shown whole: a cut of a huge one adds nothing to the counterexample.
        failures = [r for r in failures if len(r.input_excerpt or "") <= TEST_TEXT_CHARS]
    for record in failures:
        lines += [
            "",
            f"### Failed test #{record.index + 1}: {record.verdict}",
            "Input:",
            fenced(cut(record.input_excerpt or "")),
            "Expected output:",
            fenced(cut(record.expected_excerpt or "")),
            "The student's output:",
            fenced(cut(record.full_output or record.output or "")),
        ]
        if record.error:
            lines += ["Standard error:", fenced(cut(record.error, 1000))]
        if record.checker_message:
            lines.append(f"Checker: {cut(record.checker_message, 300)}")
    lines += [
        "",
        "## Task",
        "Give 3 to 5 short hints, most general first, that lead the student to the bug in THEIR code. "
        "Refer to the failing inputs. Do not write code, do not state the full solution, do not reveal "
        "anything from the reference solution.",
        'Answer JSON: {"hints": ["...", "...", "..."]}.',
    ]
    return "\n".join(lines)


def problem_hints_prompt(problem: Problem, samples: Sequence[TestCase]) -> str:
    return "\n".join(
        [
            problem_section(problem, samples),
            reference_section(problem),
            "",
            "## Task",
            "Write 4 progressive hints for someone stuck on this problem, each revealing a little more: "
            "`approach`, then `insight`, then `pitfalls`, then `implementation` (you may add `edge cases`). "
            "No code; never reveal the reference solution.",
            'Answer JSON: {"levels": [{"title": "approach", "hint": "..."}, ...]}.',
        ]
    )
