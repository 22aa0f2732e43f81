"""Linear-time helpers for scanning a large tree with patterns that `re` cannot search quickly.

`re` searches fast only for a pattern that begins with a literal (or a small character set); a
pattern that begins with a lookbehind, an optional character or a case-insensitive word is tried at
every position of the text, which costs about a second per pattern on a 5,000-page document.
These helpers find the few positions where a match can start with plain string searches and run
the unchanged pattern only there, so the matches are exactly those of `pattern.finditer(text)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """The matches of `pattern.finditer(text)`, given ascending positions that include the start of
    every one of them (the pattern must never match the empty string)."""
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = pattern.match(text, start)
        if match is not None:
            yield match
            resume = match.end()


def literal_starts(text: str, literal: str) -> list[int]:
    """Every position where `literal` begins, overlapping ones included, ascending."""
    found: list[int] = []
    find = text.find
    position = find(literal)
    while position >= 0:
        found.append(position)
        position = find(literal, position + 1)
    return found


def merged_starts(text: str, literals: Iterable[str]) -> list[int]:
    """Every position where one of `literals` begins, ascending, each once."""
    found = [starts for starts in (literal_starts(text, literal) for literal in literals) if starts]
    if len(found) <= 1:
        return found[0] if found else []
    return sorted(set().union(*found))


def line_starts_with(text: str, literals: Iterable[str]) -> list[int]:
    """Starts of the lines that hold one of `literals`, ascending (for a pattern whose every
    match is one such line)."""
    found: set[int] = set()
    find = text.find
    for literal in literals:
        position = find(literal)
        while position >= 0:
            found.add(text.rfind("\n", 0, position) + 1)
            line_end = find("\n", position)
            if line_end < 0:
                break
            position = find(literal, line_end + 1)
    return sorted(found)


class CaselessWords:
    """Where a case-insensitive `(?i:word|...)` may begin, found on the lowercased text.

    `re` compares case-insensitively char by char, mostly like `str.lower`, but not always (the long
    s matches 's', a dotted capital I lowercases to two characters). `starts` answers only when the
    lowercased text provably holds every place `re` would match; otherwise None, and the caller
    runs its pattern over the whole text."""

    def __init__(self, words: Iterable[str]):
        lowered = {word.lower() for word in words if word}
        # A word that begins with another listed word is found where that one is.
        self._needles = sorted(w for w in lowered if not any(o != w and w.startswith(o) for o in lowered))
        self._word_chars = sorted({char for word in lowered for char in word} | {char for word in words for char in word})
        self._verdicts: dict[str, bool] = {}
        self._safe: dict[frozenset[str], bool] = {frozenset(): True}
        self._usable = bool(self._needles) and all(self._agrees(chr(code)) for code in range(128))

    def _agrees(self, char: str) -> bool:
        """True when `re` matches `char` to a word character only where `str.lower` does too."""
        verdict = self._verdicts.get(char)
        if verdict is None:
            lower = char.lower()
            verdict = len(lower) == 1 and all(
                lower == word_char.lower() or re.fullmatch(f"(?i:{re.escape(word_char)})", char) is None
                for word_char in self._word_chars
            )
            self._verdicts[char] = verdict
        return verdict

    def starts(self, text: str) -> list[int] | None:
        """Ascending positions that include every place one of the words matches, or None."""
        if not self._usable:
            return None
        lowered, non_ascii = _lowered(text)
        if lowered is None:
            return None
        safe = self._safe.get(non_ascii)
        if safe is None:
            safe = self._safe[non_ascii] = all(self._agrees(char) for char in non_ascii)
        if not safe:
            return None
        return merged_starts(lowered, self._needles)


@lru_cache(maxsize=4)  # one text is searched for several word lists in a row
def _lowered(text: str) -> tuple[str | None, frozenset[str]]:
    """The lowercased text (None where lowercasing changes its length) and its non-ASCII characters."""
    lowered = text.lower()
    non_ascii = frozenset() if text.isascii() else frozenset(_NON_ASCII.findall(text))
    return (lowered if len(lowered) == len(text) else None), non_ascii
