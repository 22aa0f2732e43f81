"""Regexes and templates a document profile supplies, checked when the profile is loaded.

A broken one (an unclosed group, no `(?P<id>…)` where the id is read from it, a template field
nobody fills) is then a validation error naming its key, not a crash halfway through a build.
They are compiled with the `regex` module because that is what matches them
(specmill.profile_patterns, which bounds every match with a timeout); RE2 would bound them too,
but cannot run the lookaheads the shipped patterns use.
"""

from __future__ import annotations

import string
from typing import Annotated

import regex
from pydantic import AfterValidator


def checked_regex(pattern: str, *, groups: tuple[str, ...] = ()) -> str:
    """`pattern` unchanged if it compiles and has a named group for each of `groups`."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, ValueError, OverflowError) as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
    for group in groups:
        if group not in compiled.groupindex:
            raise ValueError(f"regex {pattern!r} has no group named {group!r}; capture it as (?P<{group}>...)")
    return pattern


def checked_template(template: str, *, fields: tuple[str, ...]) -> str:
    """`template` unchanged if it is a format string that uses only `fields` ('Annex {id}')."""
    try:
        used = {name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None}
        unknown = sorted(used - set(fields))
        if not unknown:
            template.format(**{field: "1" for field in fields})  # a bad format spec ('{id:d}') fails here
    except (ValueError, IndexError, KeyError) as exc:
        raise ValueError(f"invalid template {template!r}: {exc}") from None
    if unknown:
        allowed = ", ".join("{" + field + "}" for field in fields)
        raise ValueError(f"template {template!r} uses unknown field(s) {unknown}; it may use {allowed}")
    return template


# Field types: a validation error names the field, and in a list the item ('links.external_after.3').
ProfileRegex = Annotated[str, AfterValidator(lambda pattern: checked_regex(pattern))]
# A regex that captures a clause id in a group named `id`, and the template that builds the id from it.
IdRegex = Annotated[str, AfterValidator(lambda pattern: checked_regex(pattern, groups=("id",)))]
IdTemplate = Annotated[str, AfterValidator(lambda template: checked_template(template, fields=("id",)))]
