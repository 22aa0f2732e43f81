"""Place-by-place source check: what the PDF prints at the very place a name token sits.

The page-level source check asks only whether a section's pages print a token anywhere. A garble
that spells another real name used elsewhere on those pages (`<Ref>` for `<Row>`, `NameID` for
`BaseID` in a listing that names both) passes it. Here the words around the token in the clause
file are looked up in the pages' text layer: where the same words stand before and after it,
the PDF prints one word between them, and if that word is a vocabulary name close to the token
and the token itself stands in no place that matches as well, the token is a garble of it.

Word sequences on both sides are cut by one pattern, so Markdown syntax (pipes, backticks, `**`)
and the PDF's line numbers (digits only) fall away alike; whatever else differs (a link target,
a running header) only shortens a match. Words around the token are compared with OCR confusions
undone (`confusion_key`), so a garbled neighbour does not hide the place of the token."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

# A word: letters, digits, `_`, `.` and `-`, starting with a letter or `_` after any digits (the
# token patterns accept a garbled leading digit, `1ineScale`). Trailing dots and hyphens are
# sentence punctuation or a line-break hyphen, not part of the word.
_WORD = re.compile(r"[0-9]*[A-Za-z_][\w.\-]*")
# How many words on each side are compared: enough to tell apart the rows of a listing that
# repeat their syntax (`<element ref="saml:…"/>`), few enough to stay inside one construct.
CONTEXT = 6
# A place counts when at least this many words match around it, on both sides together...
MIN_CONTEXT = 4
# ...and it must match this many words better than any place that prints the token itself,
# so that a listing MinerU cut or reordered a little does not turn a correct name into a garble.
MARGIN = 2

PageSequence = Callable[[int], Sequence[str]]


def _words(text: str) -> list[tuple[str, int]]:
    found = []
    for match in _WORD.finditer(text):
        word = match.group().rstrip(".-")
        if word:
            found.append((word, match.start()))
    return found


@lru_cache(maxsize=1 << 16)
def _key(word: str) -> str:
    from specmill.verify.check import confusion_key

    return confusion_key(word)


def page_sequence(text: str) -> tuple[str, ...]:
    """The words of a page's text layer in reading order (normalized as `page_words` does)."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return tuple(word for word, _ in _words(text))


class TextWords:
    """The words of one clause file with their offsets, to find the words around a token."""

    def __init__(self, markdown: str):
        found = _words(markdown)
        self.words = [word for word, _ in found]
        self.keys = [_key(word) for word in self.words]
        self._starts = [start for _, start in found]

    def index_at(self, offset: int) -> int | None:
        """The index of the word that starts at `offset`, if one does."""
        at = bisect.bisect_left(self._starts, offset)
        return at if at < len(self._starts) and self._starts[at] == offset else None


class PrintedText:
    """The text layer of a section's pages as one word sequence, indexed by word."""

    def __init__(self, pages: Sequence[Sequence[str]]):
        self.words: list[str] = [word for page in pages for word in page]
        self.keys = [_key(word) for word in self.words]
        self._positions: dict[str, list[int]] = {}
        for position, key in enumerate(self.keys):
            self._positions.setdefault(key, []).append(position)

    def positions(self, key: str) -> list[int]:
        """Where words with this confusion key stand."""
        return self._positions.get(key, [])


def _matched(text: list[str], at: int, printed: list[str], position: int) -> tuple[int, int]:
    """Words matching before and after `at` in `text` and `position` in `printed` (lists of keys)."""
    before = 0
    while (before < CONTEXT and at - before - 1 >= 0 and position - before - 1 >= 0
           and text[at - before - 1] == printed[position - before - 1]):
        before += 1
    after = 0
    while (after < CONTEXT and at + after + 1 < len(text) and position + after + 1 < len(printed)
           and text[at + after + 1] == printed[position + after + 1]):
        after += 1
    return before, after


def _between(printed: PrintedText, before: str, after: str) -> list[int]:
    """The places with the word `before` right before them and `after` right after them: a place
    matched on one side only says nothing about what stands between. Read from the rarer word."""
    starts, ends = printed.positions(before), printed.positions(after)
    keys = printed.keys
    if len(starts) <= len(ends):
        return [p + 1 for p in starts if p + 2 < len(keys) and keys[p + 2] == after]
    return [p - 1 for p in ends if p >= 2 and keys[p - 2] == before]


def printed_here(text: TextWords, at: int, printed: PrintedText, close: Callable[[str], bool]) -> frozenset[str]:
    """The names the pages print in the place of word `at` of `text` instead of it; empty when
    they do not contradict it there (they print it there, or no place matches well enough).

    Candidate places are those whose words before and after equal the token's; each is scored by
    the words matching around it. Only places holding the token itself or a word `close` accepts
    (a near vocabulary name) are weighed: an unrelated name in a listing that repeats its syntax
    says nothing. The best places must match clearly better than any holding the token itself."""
    keys = text.keys
    if at == 0 or at + 1 == len(keys):
        return frozenset()
    token = text.words[at]
    best_self, best_other = 0, 0
    others: set[str] = set()
    for position in _between(printed, keys[at - 1], keys[at + 1]):
        word = printed.words[position]
        if word != token and not close(word):
            continue
        score = sum(_matched(keys, at, printed.keys, position))
        if word == token and score == 2 * CONTEXT:
            return frozenset()  # printed so in a place matching all around: nothing can beat it
        if word == token:
            best_self = max(best_self, score)
        elif score > best_other:
            best_other, others = score, {word}
        elif score == best_other:
            others.add(word)
    if best_other >= MIN_CONTEXT and best_other >= best_self + MARGIN:
        return frozenset(others)
    return frozenset()
