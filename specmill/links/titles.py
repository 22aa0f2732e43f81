"""Find clause titles printed after a cue ('see Physical Package', 'see "Physical Package"')
without one giant regex.

The plain way is one pattern `(?<![\\w-])(?i:cue|...)\\s+(?P<title>Title one|Title two|...)(?![\\w-])`
with every title of the document, longest first. With 8,000 titles that pattern takes about a
second to compile and is tried at every position of the text. `TitleFinder` gives the same matches:
it looks for the cues where they can occur (specmill.links.scan), and after a cue walks a tree of
title words along the words printed there; of the titles that match, it takes the one the pattern
would try first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from specmill.links.scan import CaselessWords

_NOT_WORD_CHAR = re.compile(r"[^\w-]")
# A title quoted after its cue ('see "Package options"', 'see \u201cPackage options\u201d'): the quote
# mark that opens it, and those that may close it.
_QUOTES = {'"': '"\u201d', "\u201c": "\u201d\"", "\u2018": "\u2019'", "'": "'\u2019"}
_SPACES = re.compile(r"\s+")
_NON_SPACES = re.compile(r"\S+")

TitleMatch = tuple[int, int, int]  # (start of the cue, start of the title, end of the title)


class _WordNode:
    """Titles by their words: `ends` maps a title's last word to its rank (its place in the
    pattern's alternation), `next` leads to the titles that go on after this word."""

    __slots__ = ("ends", "next")

    def __init__(self) -> None:
        self.ends: dict[str, int] = {}
        self.next: dict[str, _WordNode] = {}


class TitleFinder:
    """`cue_patterns`: one regex per cue, in the order the alternation tries them; `titles`: the
    titles as printed (case-sensitive), longest first."""

    def __init__(self, cue_words: list[str], cue_patterns: list[str], titles: list[str]):
        self._cue_patterns = cue_patterns
        self._titles = titles
        self._cues = [re.compile(rf"(?<![\w-])(?i:{pattern})\s+") for pattern in cue_patterns]
        self._cue_words = CaselessWords(cue_words)
        # A title made of words joined by single spaces matches word by word; anything else (a tab,
        # a double space) is left to the full pattern.
        self._simple = all(" ".join(title.split()) == title for title in titles)
        self._words = _WordNode()
        for rank, title in enumerate(titles):
            *leading, last = title.split(" ")
            node = self._words
            for word in leading:
                node = node.next.setdefault(word, _WordNode())
            node.ends.setdefault(last, rank)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The single regex this finder stands in for (used only where the shortcut cannot be)."""
        cues = "|".join(self._cue_patterns)
        alternatives = "|".join(re.escape(title).replace(r"\ ", r"\s+") for title in self._titles)
        return re.compile(
            rf"(?<![\w-])(?i:{cues})\s+(?:(?P<quote>[\"\u201c\u2018'])(?=\S))?(?P<title>{alternatives})(?![\w-])"
            rf"(?(quote)[\"\u201d\u2019'])"
        )

    @cached_property
    def _cue_starts(self) -> re.Pattern[str]:
        """An empty match wherever a cue begins: every place the title pattern may start."""
        cues = "|".join(self._cue_patterns)
        return re.compile(rf"(?<![\w-])(?=(?i:{cues}))")

    def finditer(self, text: str) -> Iterator[TitleMatch]:
        """(cue start, title start, title end) of every match of `pattern` in `text`, in order."""
        if not self._simple:
            for match in self.pattern.finditer(text):
                yield match.start(), match.start("title"), match.end("title")
            return
        starts = self._cue_words.starts(text)
        positions = starts if starts is not None else [m.start() for m in self._cue_starts.finditer(text)]
        resume = 0
        for start in positions:
            if start < resume:
                continue
            for cue in self._cues:
                after_cue = cue.match(text, start)
                if after_cue is None:
                    continue
                title_start = after_cue.end()
                closing = _QUOTES.get(text[title_start : title_start + 1])
                end = self._title_at(text, title_start + 1 if closing else title_start)
                if end is not None and closing and (text[end : end + 1] or "\0") not in closing:
                    end = None  # 'see "Package options, below"': the quote holds more than the title
                if end is not None:
                    yield start, title_start + 1 if closing else title_start, end
                    resume = end
                    break

    def _title_at(self, text: str, position: int) -> int | None:
        """End of the title the pattern would match at `position` (followed by no word character)."""
        best: tuple[int, int] | None = None  # (rank, end)
        node = self._words
        while True:
            printed = _NON_SPACES.match(text, position)
            if printed is None:
                break
            run = printed.group()
            if node.ends:
                # A last word is a prefix of the printed run that no word character follows.
                for length in [found.start() for found in _NOT_WORD_CHAR.finditer(run)] + [len(run)]:
                    rank = node.ends.get(run[:length])
                    if rank is not None and (best is None or rank < best[0]):
                        best = (rank, position + length)
            # A word followed by more title words is the whole printed run, spaces after it.
            node = node.next.get(run)  # type: ignore[assignment]
            spaces = _SPACES.match(text, printed.end())
            if node is None or spaces is None:
                break
            position = spaces.end()
        return None if best is None else best[1]
