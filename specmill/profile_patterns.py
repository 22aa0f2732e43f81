"""Matching with the regexes a document profile supplies, bounded in time.

A profile pattern is user input, and a backtracking regex can take exponential time on a short
text: `junk_bookmark_patterns: ["(a+)+$"]` against a bookmark of 34 a's and a '!' hung a build
forever (issue 16). Every match of a profile pattern therefore runs under the `regex` module's
timeout, and running out of it is a ProfileError that names the profile key and the pattern, for
the user to fix in the profile. Patterns specmill builds itself (escaped word lists) stay on `re`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import regex

from specmill.errors import ProfileError

# Far above what any sane pattern needs on one heading or one line of text (microseconds), and
# short enough that a runaway pattern stops the build at once.
MATCH_TIMEOUT_S = 1.0

_Result = TypeVar("_Result")


class PatternTimeoutError(ProfileError):
    """A profile regex ran past the match timeout: it backtracks catastrophically on some text."""


@dataclass(frozen=True, eq=False)
class ProfilePattern:
    """A compiled profile regex that knows where in the profile it came from."""

    key: str  # e.g. 'outline.junk_bookmark_patterns'
    pattern: str  # as the profile wrote it
    compiled: regex.Pattern

    def match(self, text: str, pos: int = 0) -> regex.Match | None:
        return self._bounded(lambda: self.compiled.match(text, pos, timeout=MATCH_TIMEOUT_S), text)

    def search(self, text: str, pos: int = 0) -> regex.Match | None:
        return self._bounded(lambda: self.compiled.search(text, pos, timeout=MATCH_TIMEOUT_S), text)

    def finditer(self, text: str) -> list[regex.Match]:
        return self._bounded(lambda: list(self.compiled.finditer(text, timeout=MATCH_TIMEOUT_S)), text)

    def subn(self, replacement: str, text: str) -> tuple[str, int]:
        try:
            return self._bounded(lambda: self.compiled.subn(replacement, text, timeout=MATCH_TIMEOUT_S), text)
        except (regex.error, IndexError) as exc:  # the replacement names a group the regex lacks
            raise ProfileError(f"profile {self.key}: replacement {replacement!r} for regex {self.pattern!r}: {exc}") from None

    def _bounded(self, run: Callable[[], _Result], text: str) -> _Result:
        try:
            return run()
        except TimeoutError:
            preview = text if len(text) <= 80 else text[:77] + "..."
            raise PatternTimeoutError(
                f"profile {self.key}: regex {self.pattern!r} took more than {MATCH_TIMEOUT_S:g} s on {preview!r} "
                "(catastrophic backtracking, e.g. a nested quantifier like (a+)+ or (a|aa)+); rewrite it in the profile"
            ) from None


@lru_cache(maxsize=512)
def profile_pattern(key: str, pattern: str, prefix: str = "") -> ProfilePattern:
    """`pattern` from profile key `key`, compiled as is, or as `prefix(?:pattern)` when the caller
    anchors it (after spaces, say)."""
    source = f"{prefix}(?:{pattern})" if prefix else pattern
    try:
        compiled = regex.compile(source)
    except (regex.error, ValueError, OverflowError) as exc:
        raise ProfileError(f"profile {key}: invalid regex {pattern!r}: {exc}") from None
    return ProfilePattern(key, pattern, compiled)
