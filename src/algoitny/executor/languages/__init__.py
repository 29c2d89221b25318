"""The language family: one small module per language, looked up by id or alias."""

from __future__ import annotations

from ..errors import UnknownLanguage
from .base import Language, LanguageInfo
from .c import C
from .cpp import Cpp
from .go import Go
from .java import Java
from .javascript import JavaScript
from .python import Python
from .rust import Rust

ALL: tuple[Language, ...] = (Python(), C(), Cpp(), Java(), JavaScript(), Go(), Rust())
_BY_NAME: dict[str, Language] = {}
for _language in ALL:
    for _name in (_language.id, *_language.aliases):
        _BY_NAME[_name] = _language


def get_language(name: str) -> Language:
    """The language for an id or a common alias (``python3``, ``c++``, ``js`` …)."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        known = ", ".join(language.id for language in ALL)
        raise UnknownLanguage(f"unknown language {name!r} (known: {known})") from None


def languages() -> list[LanguageInfo]:
    """Every language with whether its toolchain is installed here, and why not."""
    return [language.info() for language in ALL]


__all__ = ["ALL", "Language", "LanguageInfo", "get_language", "languages"]
