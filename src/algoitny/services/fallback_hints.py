"""Hints without a model: read from the judged results themselves — where the output
first differs (line and token), and what each verdict usually means."""

from __future__ import annotations

from algoitny.domain import Problem, Submission, TestRecord

SHOW_CHARS = 80
MIN_HINTS, MAX_HINTS = 3, 5

_IO_ADVICE = {
    "python": "In Python read input fast (`sys.stdin.buffer.read().split()` or `sys.stdin.readline`) "
    "and print once with `'\\n'.join(...)`.",
    "cpp": "In C++ use `ios::sync_with_stdio(false); cin.tie(nullptr);` and `'\\n'` instead of `endl`.",
    "c": "In C prefer `scanf`/`printf` over character-by-character I/O, and avoid `fflush` in loops.",
    "java": "In Java read with `BufferedReader`/`StreamTokenizer` and write through one `StringBuilder` "
    "or `PrintWriter`.",
    "javascript": "In JavaScript read all of stdin at once and join the output into one string.",
}


def _show(text: str) -> str:
    text = text if len(text) <= SHOW_CHARS else text[:SHOW_CHARS] + "…"
    return f"`{text}`" if text else "(nothing)"


def first_difference(expected: str, actual: str) -> list[str]:
    """Where the output first differs: the line, then the token within it."""
    want = expected.rstrip().splitlines()
    got = actual.rstrip().splitlines()
    for number, (line_want, line_got) in enumerate(zip(want, got, strict=False), start=1):
        if line_want.rstrip() == line_got.rstrip():
            continue
        found = [
            f"Line {number} of your output differs: expected {_show(line_want.strip())}, "
            f"you printed {_show(line_got.strip())}."
        ]
        tokens_want, tokens_got = line_want.split(), line_got.split()
        for position, (a, b) in enumerate(zip(tokens_want, tokens_got, strict=False), start=1):
            if a != b:
                found.append(
                    f"The first differing token is number {position} on that line: expected "
                    f"{_show(a)}, got {_show(b)}." + _number_advice(a, b)
                )
                break
        else:
            found.append(f"That line should have {len(tokens_want)} tokens; yours has {len(tokens_got)}.")
        return found
    if len(got) < len(want):
        return [
            f"Your output stops after {len(got)} line(s); {len(want)} were expected "
            f"(line {len(got) + 1} should be {_show(want[len(got)].strip())})."
        ]
    if len(got) > len(want):
        return [
            f"Your output has {len(got)} lines where {len(want)} were expected: "
            f"line {len(want) + 1} ({_show(got[len(want)].strip())}) is extra."
        ]
    return [
        "Your output matches line by line but the checker still rejects it: look at spacing, "
        "number format or precision."
    ]


def _number_advice(expected: str, got: str) -> str:
    try:
        want, have = int(expected), int(got)
    except ValueError:
        try:
            float(expected), float(got)
        except ValueError:
            return ""
        return " Check precision and the number of printed decimals."
    if abs(want) > 2**31 - 1 and abs(have) <= 2**31:
        return " The expected value does not fit in 32 bits: look for an integer overflow."
    if have < 0 <= want:
        return " A negative result where a non-negative one is expected often means an overflow."
    if abs(want - have) == 1:
        return " Off by one: check loop bounds and inclusive/exclusive ranges."
    return ""


def _verdict_hints(record: TestRecord, submission: Submission, problem: Problem | None) -> list[str]:
    test = f"test #{record.index + 1}"
    verdict = record.verdict
    if verdict == "WA":
        found = first_difference(record.expected_excerpt or "", record.full_output or record.output)
        if record.input_excerpt is not None:
            found.append(f"Work {test} by hand; its input starts with {_show(record.input_excerpt.strip())}.")
        return [f"Wrong answer on {test}. " + found[0], *found[1:]]
    if verdict == "TLE":
        limit = f" (limit {problem.time_limit_ms} ms)" if problem else ""
        size = (
            f" on an input of {len(record.input_excerpt or '')}+ characters" if record.input_excerpt else ""
        )
        return [
            f"Time limit exceeded on {test}{limit}{size}: estimate your algorithm's complexity at the largest "
            "constraints — about 10^8 simple operations per second is the budget.",
            "An endless loop also looks like this: check that every loop ends on this input.",
            _IO_ADVICE.get(submission.language, "Read input and write output in bulk, not line by line."),
        ]
    if verdict == "MLE":
        limit = f" of {problem.memory_limit_mb} MiB" if problem else ""
        return [
            f"Memory limit{limit} exceeded on {test} ({record.memory_kb} KiB used).",
            "Avoid storing what you can compute on the fly; size arrays by the constraints, not the values; "
            "deep recursion keeps every frame alive.",
        ]
    if verdict == "RE":
        how = f"signal {record.signal}" if record.signal else f"exit code {record.exit_code}"
        last = (record.error or "").strip().splitlines()[-1:] or [""]
        found = [
            f"Runtime error on {test} ({how})." + (f" The program said: {_show(last[0])}." if last[0] else "")
        ]
        found.append(
            "Common causes: an index out of range, division by zero, reading past the end of input, "
            "or recursion too deep"
            + (" (raise `sys.setrecursionlimit` or iterate)" if submission.language == "python" else "")
            + "."
        )
        return found
    if verdict == "OLE":
        return [
            f"Output limit exceeded on {test}: your program prints far more than expected.",
            "Remove debug output, and check for a loop that never ends while printing.",
        ]
    if verdict == "IE":
        return ["The judge had an internal problem with this submission: submit again."]
    return [f"{verdict} on {test}."]


def counterexample_hints(counterexample: dict) -> list[str]:
    """The counterexample search's smallest failing input, quoted, and where it goes wrong."""
    verdict = counterexample.get("verdict", "WA")
    found = [
        f"Your code fails ({verdict}) on this small input: {_show(counterexample['input'].strip())} — "
        "work it by hand."
    ]
    if verdict == "WA":
        found += first_difference(counterexample.get("expected", ""), counterexample.get("output", ""))[:1]
    elif counterexample.get("checker_message"):
        found.append(f"On it: {_show(counterexample['checker_message'].strip())}.")
    return found


def results_hints(submission: Submission, failures: list[TestRecord], problem: Problem | None) -> list[str]:
    hints: list[str] = []
    if submission.counterexample:
        hints += counterexample_hints(submission.counterexample)
    if submission.verdict == "CE" or (not failures and submission.compile_message):
        message = (submission.compile_message or "").strip().splitlines()
        first_error = next(
            (line for line in message if "error" in line.lower()), message[0] if message else ""
        )
        hints.append(
            "Your code did not compile." + (f" The first error: {_show(first_error)}." if first_error else "")
        )
        hints.append(
            f"Compile locally with the judge's {submission.language} version and fix the first error "
            "first: later ones often follow from it."
        )
    elif failures:
        hints += _verdict_hints(failures[0], submission, problem)
        if len(failures) > 1:
            verdicts = sorted({r.verdict for r in failures})
            hints.append(
                f"{len(failures)} of {submission.total} tests fail ({', '.join(verdicts)}); "
                f"the first failing one is test #{failures[0].index + 1}."
            )
    hints += [
        "Test the edge cases of the constraints by hand: the smallest input, equal values, the largest values.",
        'Run your code on the samples and on the failing input with the "run with custom input" mode.',
        "Reread the statement's input and output format: a missed condition causes most wrong answers.",
    ]
    unique = list(dict.fromkeys(hints))
    return unique[:MAX_HINTS]
