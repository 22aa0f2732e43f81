"""The numbered clauses: a walk over clause levels that fills each top-level clause's page budget.

Every top-level clause starts on a new page and owns an exact number of pages, so the document
has exactly the requested page count and every top-level clause exists before it is written:
references may point forward to top-level clauses (and ranges of them) and to the annexes, and
backward to any clause already placed. Nothing ever points at a clause that is not printed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from specmill.sample.content import ClauseTarget, Prose, Sentence, Token, XmlExample
from specmill.sample.layout import HeadingBlock, Placement, code_block, paragraph, table_block
from specmill.sample.records import Chapter, PlacedExample, PlacedTable
from specmill.sample.vocabulary import ElementDef, Vocabulary

MAX_LEVEL = 5
REFERENCE_RATE = 0.045  # share of body sentences with a cross-reference: ~1.6 per page, as measured
SMALL_DOCUMENT_REFERENCE_RATE = 0.1  # small fixtures get more, so that every form shows up
SMALL_DOCUMENT_BODY_PAGES = 40
DECOY_RATE = 0.02


@dataclass(frozen=True)
class TopLevelPlan:
    number: int
    title: str
    pages: int


class BodyWriter:
    def __init__(
        self,
        rng: random.Random,
        prose: Prose,
        vocabulary: Vocabulary,
        plan: list[TopLevelPlan],
        annex_targets: list[ClauseTarget],
        expected_leaves: int,
    ) -> None:
        self._rng = rng
        self._prose = prose
        self._vocabulary = vocabulary
        self._annex_targets = annex_targets
        self._top_targets = [ClauseTarget(str(item.number), item.title, 1) for item in plan]
        self._placed: list[ClauseTarget] = []  # body clauses already printed, in order
        self._topic_titled: list[ClauseTarget] = []  # placed clauses a title reference may name
        self._undefined = [element for element in vocabulary.elements]
        rng.shuffle(self._undefined)
        self._leaves_left = max(1, expected_leaves)
        body_pages = sum(item.pages for item in plan)
        self._reference_rate = SMALL_DOCUMENT_REFERENCE_RATE if body_pages < SMALL_DOCUMENT_BODY_PAGES else REFERENCE_RATE
        self.table_count = 0
        self._forms_used: set[str] = set()
        for item in plan:
            prose.reserve_title(item.title)

    # ----- top level ----------------------------------------------------------------------
    def write_top_level(self, item: TopLevelPlan, chapter: Chapter, force_depth: int = 0) -> None:
        """Fill exactly `item.pages` pages with clause `item.number` and its sub-clauses."""
        flow = chapter.flow
        heading = f"{item.number} {item.title}"
        flow.header = heading
        chapter.add_heading(str(item.number), item.title, heading, 1)
        self._placed.append(ClauseTarget(str(item.number), item.title, 1))
        if not self._paragraph(chapter, [self._prose.opening(item.title)], extra=self._rng.randint(1, 2)):
            raise AssertionError("a top-level clause always has room for its opening paragraph")

        numbers = [item.number]
        forced = list(range(2, force_depth + 1))
        next_level = forced.pop(0) if forced else 2
        while True:
            level = next_level
            numbers = numbers[: level - 1] + [numbers[level - 1] + 1 if len(numbers) >= level else 1]
            if forced:
                next_level = forced.pop(0)
            else:
                next_level = self._next_level(level)
            is_leaf = next_level <= level
            clause_id = ".".join(str(number) for number in numbers)
            if not self._write_clause(chapter, clause_id, level, is_leaf):
                break
        if len(flow.pages) != item.pages:
            raise AssertionError(f"clause {item.number} filled {len(flow.pages)} of {item.pages} pages")

    def _next_level(self, level: int) -> int:
        """Shallow levels branch, deep ones mostly return: most clauses sit at levels 2-4."""
        down = {2: 0.42, 3: 0.3, 4: 0.16}.get(level, 0.0)
        up = {2: 0.0, 3: 0.25, 4: 0.4}.get(level, 0.7)
        roll = self._rng.random()
        if roll < down:
            return level + 1
        if roll < down + up:
            return self._rng.randint(2, level - 1)
        return level

    # ----- one clause ---------------------------------------------------------------------
    def _write_clause(self, chapter: Chapter, clause_id: str, level: int, is_leaf: bool) -> bool:
        """Place one clause; False when the page budget is spent (the clause is then not printed)."""
        rng = self._rng
        element = self._maybe_element(level, is_leaf)
        title = f"{element.name} ({element.title})" if element else self._prose.topic_title()
        heading = f"{clause_id} {title}"
        block = HeadingBlock(heading, level)
        if not chapter.flow.fits_heading(block):
            if element is not None:
                self._undefined.append(element)
            return False
        chapter.add_heading(clause_id, title, heading, level)
        target = ClauseTarget(clause_id, title, level)
        self._placed.append(target)
        if element is None:
            self._topic_titled.append(target)

        if not is_leaf:
            return self._paragraph(chapter, [self._prose.opening(title)], extra=rng.randint(1, 4))
        self._leaves_left = max(1, self._leaves_left - 1)

        steps: list[Callable[[], bool]] = []
        if element is not None:
            steps.append(lambda: self._paragraph(chapter, [self._prose.element_opening(element)], extra=rng.randint(2, 5)))
            if rng.random() < 0.8:
                steps.append(lambda: self._example(chapter, element))
            if element.attributes:
                steps.append(lambda: self._table(chapter, element))
            for _ in range(rng.randint(1, 3)):
                steps.append(lambda: self._paragraph(chapter, [], extra=rng.randint(4, 7)))
        else:
            steps.append(lambda: self._paragraph(chapter, [self._prose.opening(title)], extra=rng.randint(3, 6)))
            for _ in range(rng.randint(3, 5)):
                steps.append(lambda: self._paragraph(chapter, [], extra=rng.randint(5, 9)))
            if rng.random() < 0.45:
                steps.insert(1, lambda: self._example(chapter, rng.choice(self._vocabulary.elements)))
            if rng.random() < 0.25:
                steps.insert(-1, lambda: self._example(chapter, rng.choice(self._vocabulary.elements)))
            if rng.random() < 0.1:
                steps.append(lambda: self._table(chapter, rng.choice(self._vocabulary.elements)))
            if rng.random() < 0.15:
                steps.append(lambda: self._numbered_list(chapter))
        for step in steps:
            if not step():
                # The budget's last page is nearly full: top it up with what still fits, then stop.
                self._paragraph(chapter, [], extra=4)
                return False
        return True

    def _maybe_element(self, level: int, is_leaf: bool) -> ElementDef | None:
        if not is_leaf or level < 3 or not self._undefined:
            return None
        chance = min(0.7, max(0.08, 1.6 * len(self._undefined) / self._leaves_left))
        if self._rng.random() >= chance:
            return None
        return self._undefined.pop()

    # ----- blocks -------------------------------------------------------------------------
    def _sentences(self, count: int) -> list[Sentence]:
        sentences = []
        for _ in range(count):
            roll = self._rng.random()
            if roll < self._reference_rate:
                sentences.append(self._reference_sentence())
            elif roll < self._reference_rate + DECOY_RATE:
                sentences.append(self._prose.decoy())
            else:
                sentences.append(self._prose.plain())
        return sentences

    def _paragraph(self, chapter: Chapter, lead: list[Sentence], extra: int) -> bool:
        """Place a paragraph; on the budget's last page drop trailing sentences until it fits."""
        sentences = lead + self._sentences(extra)
        while sentences:
            block = paragraph(sentences)
            if chapter.flow.fits_text(block):
                self._record(chapter, chapter.flow.place_text(block))
                return True
            sentences = sentences[:-1]
        return False

    def _record(self, chapter: Chapter, placement: Placement) -> None:
        """Keep what was printed; a reference form counts as shown only once it is on a page."""
        chapter.record_marks(placement)
        for placed in placement.marks:
            if placed.mark.form is not None:
                spaced = placed.mark.text.startswith("§ ")
                self._forms_used.add("section_sign_spaced" if spaced else placed.mark.form)

    def _example(self, chapter: Chapter, focus: ElementDef) -> bool:
        example: XmlExample = self._prose.xml_example(focus)
        opening = paragraph([[*_tokens("[Example:"), *self._prose.plain()]], gap_after=2.0)
        code = code_block(list(example.lines))
        closing = paragraph([_tokens("end example]")], gap_after=12.0)
        flow = chapter.flow
        total_lines = len(opening.lines) + len(code.lines) + len(closing.lines)
        if flow.pages_left == 0 and total_lines * 13.5 + 20 > flow.room:
            return False  # never leave an example unfinished at the end of a clause's budget
        if not flow.fits_text(opening):
            return False
        self._record(chapter, flow.place_text(opening))
        placement = flow.place_text(code)
        flow.place_text(closing)
        chapter.examples.append(PlacedExample(chapter.current_clause, placement.first_page, example.names))
        return True

    def _table(self, chapter: Chapter, element: ElementDef) -> bool:
        if not element.attributes:
            return True
        table = self._prose.attribute_table(self.table_count + 1, element)
        block = table_block(table)
        if not chapter.flow.fits_table(block):
            return False
        self.table_count += 1
        placement = chapter.flow.place_table(block)
        chapter.tables.append(PlacedTable(chapter.current_clause, placement.first_page, table.caption, element.name, tuple(row.name for row in table.rows)))
        return True

    def _numbered_list(self, chapter: Chapter) -> bool:
        lead = paragraph([self._prose.list_lead()], gap_after=3.0)
        items = []
        for number in range(1, self._rng.randint(2, 4) + 1):
            mark, sentence = self._prose.list_item(number)
            block = paragraph([sentence], indent=18.0, gap_after=2.0)
            block.label, block.label_mark = mark.text, mark
            items.append(block)
        flow = chapter.flow
        lines = len(lead.lines) + sum(len(item.lines) for item in items)
        if flow.pages_left == 0 and lines * 13.5 + 20 > flow.room:
            return False
        if not flow.fits_text(lead):
            return False
        self._record(chapter, flow.place_text(lead))
        for item in items:
            self._record(chapter, flow.place_text(item))
        return True

    # ----- references ---------------------------------------------------------------------
    def _reference_sentence(self) -> Sentence:
        """One reference; the first few cycle through every form, so even 10 pages show them all."""
        rng = self._rng
        current = self._placed[-1].clause_id
        available = ["section_sign", "section_sign_spaced", "annex", "title", "dotted"]
        if len(self._top_targets) >= 2:
            available.append("range")
        unused = [form for form in available if form not in self._forms_used]
        if unused:
            form = unused[0]
        else:
            roll = rng.random()
            form = (
                "annex" if roll < 0.08
                else "range" if roll < 0.15 and "range" in available
                else "title" if roll < 0.25
                else "dotted" if roll < 0.55
                else "section_sign"
            )
        if form == "annex":
            return self._prose.reference("annex", rng.choice([t for t in self._annex_targets if t.level == 1]))
        if form == "range":
            start = rng.randrange(len(self._top_targets) - 1)
            end = rng.randint(start + 1, min(start + 3, len(self._top_targets) - 1))
            return self._prose.reference("range", self._top_targets[start], self._top_targets[end])
        if form == "title":
            titled = [t for t in self._topic_titled[-60:] if t.clause_id != current] + self._top_targets
            return self._prose.reference("title", rng.choice(titled))
        if form == "dotted":
            target = self._earlier_clause(current, dotted=True)
            if target is not None:
                return self._prose.reference("dotted", target)
        spaced = True if form == "section_sign_spaced" else None
        roll = rng.random()
        if roll < 0.1:
            target = rng.choice([t for t in self._annex_targets if t.level > 1])
        elif roll < 0.25:
            target = rng.choice(self._top_targets)
        else:
            target = self._earlier_clause(current, dotted=False) or rng.choice(self._top_targets)
        return self._prose.reference("section_sign", target, spaced=spaced)

    def _earlier_clause(self, current: str, dotted: bool) -> ClauseTarget | None:
        """Mostly a nearby clause, as real cross-references are; sometimes any earlier one.

        Drawn by index rather than by filtering: at 5,000 pages the list holds 8,000 clauses."""
        rng = self._rng
        count = len(self._placed)
        for _ in range(20):
            index = rng.randrange(max(0, count - 40), count) if rng.random() < 0.6 else rng.randrange(count)
            target = self._placed[index]
            if target.clause_id != current and (not dotted or "." in target.clause_id):
                return target
        return None


def _tokens(text: str) -> Sentence:
    return [Token(word) for word in text.split()]
