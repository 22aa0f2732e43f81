"""Is a clause without content really empty? Asked of the PDF's own text layer.

The segmenter calls a clause empty when the next clause's heading follows its own in MinerU's
block stream. That is also what a parser that dropped the clause's text would produce, so the
text layer decides: the words printed between the clause's heading and the next heading, with
running headers, footers and page numbers left out. A clause whose heading is followed in the PDF
by prose the corpus lacks is not empty; its content was lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from schemas.tree import FRONT_MATTER_KEY, ClauseTree, ClauseTreeReport, Section
from specmill.titles import compact

# Words that may sit between two headings of a legitimately empty clause: the rest of a wrapped
# title, a "(normative)" or "(informative)" note under an annex heading.
MAX_WORDS_BETWEEN = 6
_PREFIX_CHARS = 24  # a heading is found by the start of its title: long titles wrap over lines
_MAX_PAGES = 3  # an empty clause's heading and the next heading are at most this far apart
_RUNNING_MIN_PAGES = 3


@dataclass(frozen=True)
class HeadingPlace:
    clause_id: str | None
    title: str
    page: int

    def key(self) -> str:
        """What the heading's line holds: its number and the start of its title. A title alone
        would be found anywhere ("(weggefallen)", "General")."""
        return compact(f"{self.clause_id or ''} {self.title}")[:_PREFIX_CHARS]


class PageLines:
    """The page texts as lines, and the lines that repeat on many pages (running headers and
    footers), computed once per document."""

    def __init__(self, page_texts: Sequence[str]):
        self._texts = page_texts
        self._lines: dict[int, list[str]] = {}
        counts: Counter[str] = Counter()
        for text in page_texts:
            counts.update({compact(line) for line in text.split("\n") if line.strip()})
        self.running = {line for line, pages in counts.items() if pages >= _RUNNING_MIN_PAGES}

    def lines(self, page: int) -> list[str]:
        if page not in self._lines:
            text = self._texts[page] if 0 <= page < len(self._texts) else ""
            self._lines[page] = [line.strip() for line in text.split("\n") if line.strip()]
        return self._lines[page]


def words_between(heading: HeadingPlace, following: HeadingPlace, pages: PageLines) -> list[str] | None:
    """The words the PDF prints between two headings (None when either heading cannot be found in
    the text layer, so nothing can be said)."""
    if following.page < heading.page or following.page - heading.page >= _MAX_PAGES:
        return None
    lines = [(page, line) for page in range(heading.page, following.page + 1) for line in pages.lines(page)]
    start = _find(lines, heading, 0, heading.page, pages.running)
    if start is None:
        return None
    end = _find(lines, following, start + 1, following.page, pages.running)
    if end is None:
        return None
    title = compact(f"{heading.clause_id or ''} {heading.title}")
    words = []
    for _page, line in lines[start + 1 : end]:
        key = compact(line)
        if not key or key in pages.running or key.isdigit() or key in title:
            continue
        words.extend(line.split())
    return words


def _find(lines: list[tuple[int, str]], heading: HeadingPlace, start: int, page: int, running_lines: set[str]) -> int | None:
    """The first line at or after `start`, on `page` or later, that holds the heading's title
    (a running header repeating a title is not the heading)."""
    wanted = heading.key()
    if not wanted:
        return None
    for index in range(start, len(lines)):
        on_page, line = lines[index]
        if on_page < page:
            continue
        key = compact(line)
        if wanted in key and key not in running_lines:
            return index
    return None


def confirm_empty_clauses(tree: ClauseTree, report: ClauseTreeReport, page_texts: Sequence[str]) -> ClauseTreeReport:
    """The report with every clause the segmenter found empty checked against the text layer: where
    the PDF prints more than a few words between its heading and the next one, its reason becomes
    `content_in_text_layer` (lost content), with those words' start as evidence."""
    candidates = {e.section for e in report.empty_clauses if e.reason == "heading_then_next_heading"}
    if not candidates:
        return report
    pages = PageLines(page_texts)
    sections = [s for s in tree.walk() if s.key != FRONT_MATTER_KEY]
    following: dict[str, Section] = {}
    for position, section in enumerate(sections):
        if section.key in candidates:
            following_section = next((s for s in sections[position + 1 :] if s.matched and s.heading_page is not None), None)
            if following_section is not None and section.heading_page is not None:
                following[section.key] = (section, following_section)
    updated = []
    for empty in report.empty_clauses:
        pair = following.get(empty.section)
        words = None
        if pair is not None:
            here, there = pair
            words = words_between(
                HeadingPlace(here.clause_id, here.title, here.heading_page),
                HeadingPlace(there.clause_id, there.title, there.heading_page),
                pages,
            )
        if words is not None and len(words) > MAX_WORDS_BETWEEN:
            empty = empty.model_copy(update={"reason": "content_in_text_layer", "evidence": " ".join(words[:20])})
        updated.append(empty)
    return report.model_copy(update={"empty_clauses": updated})
