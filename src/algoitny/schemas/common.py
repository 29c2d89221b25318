"""Types shared by several API models."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from algoitny.executor.languages import ALL as _LANGUAGES

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
    Field(description="The platform's own id: letters, digits, `_ . -`; at most 64.", examples=["1000"]),
]

Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _+\-.]{0,39}$"),
]


def _json_integer(value: object) -> object:
    """JSON Schema's `integer` is a number without a fraction (`1000` or `1000.0`), never a
    string or a boolean; pydantic's lax int also takes `"1000"` and `true`."""
    if isinstance(value, str | bool):
        raise ValueError("Input should be a JSON integer, not a string or a boolean")
    return value


# Request bodies take JSON's own types, as the published schema says: `"1000"` or `true`
# for an integer and `0` or `"yes"` for a boolean are errors (query parameters stay lax:
# there every value is a string).
StrictInt = Annotated[int, BeforeValidator(_json_integer)]
StrictBool = Annotated[bool, Strict()]
StrictFloat = Annotated[float, Strict()]  # an integer is still a number

LegacyId = Annotated[StrictInt, Field(ge=1, le=2**53, description="The old system's integer problem id.")]

PageLimit = Annotated[int, Field(ge=1, le=100, description="Items per page.")]


def _defaults_in_descriptions(schema: dict[str, Any]) -> None:
    """A request field with a default may be left out. openapi-typescript (default options)
    makes every property with a `default` required, so request models state their defaults in
    the description instead: both generators then give an optional field."""
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict) and "default" in prop:
            default = json.dumps(prop.pop("default"))
            prop["description"] = f"{prop.get('description', '')} Default: `{default}`.".lstrip()


class StrictModel(BaseModel):
    """Request bodies reject unknown fields, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_defaults_in_descriptions)


LANGUAGE_IDS = tuple(lang.id for lang in _LANGUAGES)
_ALIASES = {name: lang.id for lang in _LANGUAGES for name in (lang.id, *lang.aliases)}


def _canonical_language(value: object) -> object:
    """Common aliases (`python3`, `c++`, `js` …) are accepted and stored as the id; the schema
    lists ids only, so generated clients get a clean enum."""
    return _ALIASES.get(value.strip().lower(), value) if isinstance(value, str) else value


LanguageName = Annotated[
    Literal[LANGUAGE_IDS],  # type: ignore[valid-type]  # built from the registry at import
    BeforeValidator(_canonical_language),
    Field(
        description="A language id (aliases such as `python3`, `c++`, `js` are accepted too); "
        "`GET /api/languages` says which are installed here."
    ),
]
