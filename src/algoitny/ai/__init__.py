"""AI through google-genai (Gemini): one provider, the prompts, the answer models.

    provider = open_provider(settings.ai)          # None without an API key
    answer = await provider.generate(Task.HINTS, prompt, HintList)
    answer.value.hints, answer.usage.total_tokens

Nothing here runs model output: generator scripts and solutions go to the
sandboxed executor (see ``services/generation.py``, ``services/reference.py``).
"""

from algoitny.ai.models import GeneratorScript, HintList, ProblemHintLevels, SolutionAnswer
from algoitny.ai.provider import (
    AiAnswer,
    AiBadAnswer,
    AiCallFailed,
    AiProvider,
    AiUsage,
    Task,
    open_provider,
)

__all__ = [
    "AiAnswer",
    "AiBadAnswer",
    "AiCallFailed",
    "AiProvider",
    "AiUsage",
    "GeneratorScript",
    "HintList",
    "ProblemHintLevels",
    "SolutionAnswer",
    "Task",
    "open_provider",
]
