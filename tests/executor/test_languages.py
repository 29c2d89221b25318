"""Language lookup and the availability report."""

import pytest

from algoitny.executor import UnknownLanguage, get_language, languages
from algoitny.executor.languages.java import Java
from algoitny.executor.models import Limits


@pytest.mark.parametrize(
    "alias, language_id",
    [
        ("python3", "python"),
        ("c++", "cpp"),
        ("cpp17", "cpp"),
        ("js", "javascript"),
        ("node", "javascript"),
        ("C", "c"),
        ("java", "java"),
        ("golang", "go"),
        ("rs", "rust"),
    ],
)
def test_aliases(alias, language_id):
    assert get_language(alias).id == language_id


def test_unknown_language_raises():
    with pytest.raises(UnknownLanguage):
        get_language("brainfuck")


def test_required_languages_are_available_here():
    report = {info.id: info for info in languages()}
    for language_id in ("python", "c", "cpp", "java", "javascript"):
        assert report[language_id].available, report[language_id].reason
    for info in report.values():
        assert info.available or info.reason


def test_java_uses_the_public_class_name():
    java = Java()
    source = "import java.util.*;\npublic final class Solution { }\n"
    assert java.entry(source) == "Solution"
    assert java.source_name(source) == "Solution.java"
    assert java.entry("class Foo {}") == "Main"
    assert "-Xmx128m" in java.run_argv("Solution", Limits(memory_mb=128))
