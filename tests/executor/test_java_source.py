"""The Java source lexer: javac's unicode escapes, comments, literals, linear work."""

from __future__ import annotations

from pathlib import Path

import pytest

from algoitny.executor.languages.base import SourceRejected
from algoitny.executor.languages.java import MAX_PACKAGE_DEPTH, plan
from algoitny.executor.languages.java_source import decode_unicode_escapes, parse

CASES = Path(__file__).parent / "cases"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        (r"\u0041", "A"),
        (r"\uuuu0041", "A"),  # any number of u's
        (r"\\u0041", r"\\u0041"),  # an escaped backslash: not an escape
        (r"\\\u0041", "\\\\A"),  # odd run: the last backslash starts one
        (r"\u005cu0041", r"\u0041"),  # a produced backslash never starts another escape
        (r"\u005c\u0041", "\\A"),  # ... but the next raw backslash does
        (r"\u00G1 \u12", r"\u00G1 \u12"),  # not four hex digits: left for javac to reject
        ("no escapes", "no escapes"),
    ],
)
def test_unicode_escapes_are_decoded_as_javac_does(raw, decoded):
    assert decode_unicode_escapes(raw) == decoded


def test_a_package_behind_a_unicode_escaped_comment_end_is_found():
    parsed = parse((CASES / "JavaHiddenPackage.java").read_text())
    assert parsed.package == ["hidden", "pkg"]
    assert plan((CASES / "JavaHiddenPackage.java").read_text()).entry == "hidden.pkg.Main"


def test_comments_strings_and_text_blocks_hide_declarations():
    source = r'''
// package fake.one;
/* package fake.two; class Fake { static void main( */
package real . pkg /* between */ ;
@SuppressWarnings({"a", "b"}) public final class Solution<T> {
  static class Inner { public static void main(String[] a) {} }
  String s = "class InString { public static void main(";
  String t = """
      class InBlock {} \""" still inside "}"
      """;
  char q = '\'', brace = '}';
  public static void main(String... args) { System.out.println("}"); }
}
class Helper { void main() {} }
enum Kind { A; static void main(String[] a) {} }
class Привет {}
'''
    parsed = parse(source)
    assert parsed.package == ["real", "pkg"]
    assert [(t.name, t.public, t.has_main) for t in parsed.types] == [
        ("Solution", True, True),
        ("Helper", False, False),
        ("Kind", False, True),
        ("Привет", False, False),
    ]
    assert plan(source).entry == "real.pkg.Solution" and plan(source).source_name == "Solution.java"


def test_a_non_ascii_public_class_names_the_file():
    assert plan((CASES / "JavaCyrillic.java").read_text()).source_name == "Решение.java"


def test_work_is_linear_on_the_source_that_was_quadratic():
    """The old comment regex took ~30 s on this 64 KiB file (retrying from each opening)."""
    source = (CASES / "JavaRegexBomb.java").read_text()
    parsed = parse(source)
    assert parsed.steps <= len(source)
    assert [t.name for t in parsed.types] == ["Main"]


@pytest.mark.parametrize(
    "source",
    [
        "/* " * 30000,
        '"' * 60000,
        '"""' * 20000,
        "\\" * 60000 + "u0041",
        "\\u" * 30000,
        "class A { " + "void main " * 6000 + "}",
        "@A(" * 20000,
        "{" * 30000 + "}" * 30000,
    ],
)
def test_hostile_shapes_take_at_most_one_step_per_character(source):
    decoded = decode_unicode_escapes(source)
    assert parse(source).steps <= len(decoded)


def test_names_are_bounded_before_compiling():
    with pytest.raises(SourceRejected, match="1200 components"):
        plan((CASES / "JavaDeepPackage.java").read_text())
    with pytest.raises(SourceRejected, match=r"too long \(300 characters\)"):
        plan((CASES / "JavaLongName.java").read_text())
    deep_enough = ".".join(["p"] * MAX_PACKAGE_DEPTH)
    assert plan(f"package {deep_enough}; class Main {{}}").entry == deep_enough + ".Main"
    with pytest.raises(SourceRejected, match="too long"):
        plan("package " + "p" * 200 + "; class Main {}")
    with pytest.raises(SourceRejected, match="limited to"):
        plan(" " * (4 * 1024 * 1024 + 1))
