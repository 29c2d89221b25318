"""Folding, terms and highlighting: the same for documents and queries (pure)."""

from __future__ import annotations

from algoitny.search import text


def test_terms_fold_case_width_and_accents_and_split_on_punctuation():
    found = text.terms("ＡＢＣ １５２０Ｅ Café A+B 최단경로_구하기")
    assert found == ["abc", "1520e", "cafe", "a", "b", "최단경로", "구하기"]
    assert text.terms("!!! +-*/ 😀") == []
    assert text.joined("  A + B ") == "a b"


def test_suffixes_make_every_substring_a_prefix():
    found = text.suffixes(["최단경로", "1520e"])
    assert found == ["단경로", "경로", "로", "520e", "20e", "0e", "e"]
    word = "최단경로"
    for start in range(1, len(word)):
        for end in range(start + 1, len(word) + 1):
            assert any(s.startswith(word[start:end]) for s in found)


def test_highlight_marks_the_title_as_written_and_escapes_it():
    assert text.highlight("최단경로 <b>", ["경로"]) == "최단<mark>경로</mark> &lt;b&gt;"
    assert text.highlight("ＡＢＣ & Café", ["abc", "cafe"]) == "<mark>ＡＢＣ</mark> &amp; <mark>Café</mark>"
    # A ligature folds to two letters: the whole original character is marked.
    assert text.highlight("ﬁnd", ["fi"]) == "<mark>ﬁ</mark>nd"
    assert text.highlight("Tree", ["graph"]) == "Tree"
