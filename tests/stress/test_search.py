"""The counterexample search against the real sandbox: small sum problems, small budgets."""

from __future__ import annotations

import asyncio
import random

from algoitny.executor import Checker, Limits, Verdict
from algoitny.stress.engine import Budget, Program, Progress, StressSetup, find_counterexample
from algoitny.stress.search import seed

# "n" then n numbers; the answer is their sum.
GENERATOR = """\
import random
size, seed = map(int, input().split())
random.seed(seed)
print(size)
print(*[random.randint(LOW, LOW + 4) for _ in range(size)])
"""
VALIDATOR = """\
import sys
lines = sys.stdin.read().split("\\n")
n = int(lines[0])
assert 1 <= n <= 100 and lines[2:] == [""]
numbers = [int(x) for x in lines[1].split()]
assert len(numbers) == n and all(LOW <= x <= 100 for x in numbers)
"""
REFERENCE = Program("python", "input()\nprint(sum(map(int, input().split())))\n")
WRONG_ON_ZERO = Program(
    "python", "input()\nxs = list(map(int, input().split()))\nprint(sum(xs) + (0 in xs))\n"
)
ALWAYS_WRONG = Program("python", "input()\nprint(sum(map(int, input().split())) + 1)\n")
LIMITS = Limits(time_limit_s=1.0)
BUDGET = Budget(runs=400, cpu_seconds=60, wall_seconds=60)


def setup(
    *, low: int = 0, validator: bool = True, sizes: tuple[int, int] = (1, 10), generator: str = GENERATOR
):
    return StressSetup(
        generator=generator.replace("LOW", str(low)),
        validator=VALIDATOR.replace("LOW", str(low)) if validator else None,
        size_min=sizes[0],
        size_max=sizes[1],
    )


async def search(stress: StressSetup, candidate: Program, *, reference: Program = REFERENCE, **kwargs):
    kwargs.setdefault("budget", BUDGET)
    kwargs.setdefault("limits", LIMITS)
    return await find_counterexample(stress, reference, candidate, checker=Checker(), **kwargs)


async def test_finds_and_shrinks_to_a_tiny_valid_input_the_same_every_time(runtime):
    progress: list[Progress] = []

    async def record(event: Progress) -> None:
        progress.append(event)

    # Two searches at once: whatever order their runs finish in, they find the same.
    first, second = await asyncio.gather(
        search(setup(), WRONG_ON_ZERO, on_progress=record, progress_interval_s=0),
        search(setup(), WRONG_ON_ZERO),
    )
    assert first.error is None and not first.exhausted
    found = first.counterexample
    assert found is not None
    assert (found.input, found.expected, found.output, found.verdict) == ("1\n0\n", "0\n", "1\n", Verdict.WA)
    assert "expected '0', found '1'" in found.checker_message
    assert found.tries <= first.tries
    again = second.counterexample
    assert again is not None and (again.input, again.size, again.output) == (
        found.input,
        found.size,
        found.output,
    )
    assert progress and all(1 <= p.size <= 10 for p in progress)
    assert [p.tries for p in progress] == sorted(p.tries for p in progress)


async def test_without_a_validator_the_input_is_one_the_generator_printed(runtime):
    outcome = await search(setup(validator=False), WRONG_ON_ZERO)
    found = outcome.counterexample
    assert found is not None and outcome.error is None
    n, *numbers = map(int, found.input.split())
    # The generator's own output for (size, seed): never mutated, counts consistent.
    assert n == found.size == len(numbers) and 0 in numbers
    assert found.input == f"{n}\n{' '.join(map(str, numbers))}\n"


async def test_a_crash_where_the_reference_runs_is_a_runtime_error_counterexample(runtime):
    crashes_on_one = Program(
        "python", "n = int(input())\nxs = input().split()\nprint(int(xs[0]) + int(xs[1]) * (n > 1))\n"
    )
    outcome = await search(setup(validator=False), crashes_on_one)
    found = outcome.counterexample
    assert found is not None
    assert (found.verdict, found.size, found.input.split()[0]) == (Verdict.RE, 1, "1")
    assert "exit code 1" in found.checker_message and "IndexError" in found.checker_message
    assert found.expected.strip() == found.input.split()[1]


async def test_exponential_blow_up_is_found_as_a_time_limit_at_a_small_size(runtime):
    fibonacci = "size, seed = map(int, input().split())\nprint(4 * size)\n"
    iterative = "k = int(input())\na, b = 0, 1\nfor _ in range(k):\n    a, b = b, a + b\nprint(a)\n"
    naive = "import sys\nsys.setrecursionlimit(10000)\nf = lambda k: k if k < 2 else f(k - 1) + f(k - 2)\nprint(f(int(input())))\n"
    stress = StressSetup(generator=fibonacci, validator=None, size_min=5, size_max=40)
    outcome = await search(
        stress,
        Program("python", naive),
        reference=Program("python", iterative),
        limits=Limits(time_limit_s=0.25, wall_time_s=10),
    )
    found = outcome.counterexample
    assert found is not None and found.verdict is Verdict.TLE
    assert 5 <= found.size <= 10 and found.input == f"{4 * found.size}\n"
    assert found.output == "" and found.expected.strip().isdigit()


async def test_a_budget_that_runs_out_while_shrinking_reports_the_best_so_far(runtime):
    outcome = await search(
        setup(sizes=(6, 10)), ALWAYS_WRONG, budget=Budget(runs=30, cpu_seconds=60, wall_seconds=60)
    )
    assert outcome.exhausted and outcome.error is None and outcome.tries <= 30
    found = outcome.counterexample
    assert found is not None and found.size == 6 and found.tries <= 30
    n, *numbers = map(int, found.input.split())
    assert (
        n == len(numbers)
        and found.expected == f"{sum(numbers)}\n"
        and found.output == f"{sum(numbers) + 1}\n"
    )


async def test_a_budget_that_runs_out_before_anything_fails_finds_nothing(runtime):
    wrong_from_eight = Program(
        "python", "n = int(input())\nprint(sum(map(int, input().split())) + (n >= 8))\n"
    )
    outcome = await search(setup(), wrong_from_eight, budget=Budget(runs=24, cpu_seconds=60, wall_seconds=60))
    assert outcome.exhausted and outcome.counterexample is None and outcome.tries <= 24


async def test_the_wall_clock_budget_stops_a_search_that_cannot_end(runtime):
    sleepy = Program(
        "python", "import time\ntime.sleep(0.5)\ninput()\nprint(sum(map(int, input().split())))\n"
    )
    outcome = await search(setup(), sleepy, budget=Budget(runs=10_000, cpu_seconds=600, wall_seconds=3))
    # Runs and CPU seconds are far from spent: only the wall clock could stop it.
    assert outcome.exhausted and outcome.counterexample is None and outcome.tries < 1000


async def test_generator_crashes_and_floods_are_skipped(runtime):
    generator = GENERATOR.replace(
        "random.seed(seed)\n",
        "random.seed(seed)\nif size == 1:\n    raise SystemExit('no size 1')\n"
        "while size == 2:\n    print('9' * 1000)\n",
    )
    outcome = await search(setup(validator=False, generator=generator), ALWAYS_WRONG)
    found = outcome.counterexample
    assert found is not None and outcome.error is None and found.size == 3


async def test_a_generator_that_fails_everywhere_or_does_not_compile_is_a_setup_error(runtime):
    always = "raise SystemExit('cannot generate')\n"
    broken, syntax = await asyncio.gather(
        search(setup(generator=always), ALWAYS_WRONG),
        search(setup(generator="def (:\n"), ALWAYS_WRONG),
    )
    assert broken.counterexample is None and "generator failed on every input" in (broken.error or "")
    assert "cannot generate" in (broken.error or "") and broken.tries <= 20
    assert syntax.counterexample is None and "generator does not compile" in (syntax.error or "")
    assert syntax.tries == 0 and syntax.candidate_error is None


async def test_inputs_the_reference_fails_on_are_skipped_never_shown(runtime):
    fails_on_one = Program(
        "python", "n = int(input())\nassert n > 1\nprint(sum(map(int, input().split())))\n"
    )
    wrong_up_to_two = Program(
        "python", "n = int(input())\nprint(sum(map(int, input().split())) + (n <= 2))\n"
    )
    outcome = await search(setup(low=1), wrong_up_to_two, reference=fails_on_one)
    found = outcome.counterexample
    assert found is not None and found.size == 2
    # Shrinking to n = 1 would be smaller, but the reference does not solve it.
    n, *numbers = map(int, found.input.split())
    assert n == 2 and found.expected == f"{sum(numbers)}\n"


async def test_shrinking_keeps_only_inputs_the_validator_accepts(runtime):
    # Valid numbers are 5..100: lowering towards 0 or 1 is rejected every time.
    wrong_on_even = Program(
        "python",
        "input()\nxs = list(map(int, input().split()))\nprint(sum(xs) + any(x % 2 == 0 for x in xs))\n",
    )
    outcome = await search(setup(low=5), wrong_on_even)
    found = outcome.counterexample
    assert found is not None and not outcome.exhausted
    n, value = map(int, found.input.split())
    assert n == 1 and value % 2 == 0 and 5 <= value <= 100


async def test_a_candidate_that_does_not_compile_is_its_own_error(runtime):
    outcome = await search(setup(), Program("cpp", "int main( {"))
    assert outcome.counterexample is None and outcome.candidate_error is not None
    assert outcome.error == outcome.candidate_error and "candidate does not compile" in outcome.error


async def test_without_a_validator_the_shortest_input_of_the_found_size_wins(runtime):
    # Numbers of 1 to 10 digits: seeds give inputs of different lengths.
    generator = "import random\nsize, seed = map(int, input().split())\nrandom.seed(seed)\nprint(1)\nprint(random.randint(0, 10 ** random.randint(0, 9)))\n"  # fmt: skip
    outcome = await search(StressSetup(generator, None, 1, 1), ALWAYS_WRONG)
    found = outcome.counterexample
    assert found is not None

    def printed(index: int) -> str:
        random.seed(seed(1, index))
        return f"1\n{random.randint(0, 10 ** random.randint(0, 9))}\n"

    # The first hit (seed 0 of the first round), then the 4 seeds after all rounds'.
    tried = [printed(0)] + [printed(i) for i in range(12, 16)]
    assert found.input == min(tried, key=len) != tried[0]
