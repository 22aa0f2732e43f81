"""Find clause references in the Markdown of one clause file.

Forms (all word lists come from `LinkRules`):
- section sign: `§17.9.11`, `§ 17.9.11`, `§A.3`, `ST_Jc (§17.18.44)`, `$§17.4.62$` (a sign set as
  math), `�17.4.62` (a damaged glyph); a double sign takes a range or a list (`§§ 3–5`,
  `§§ 823, 826 und 831`);
- clause words: `clause 7`, `Section 3.2`, `subclauses 4.1 and 4.2`;
- annexes: `Annex B`, `Appendix C.2`;
- bare dotted numbers where the context makes them references: after a cue word (`see 9.1.2`,
  `in 9.1.2`), in parentheses (`(9.1.2)`), after an element or attribute name
  (`<manifest:file-entry> 4.3`), or with three or more parts; never after `version`, before a
  unit, or as a single number (list items);
- clause titles after a cue (`see Physical Package`), when enabled.

Bare numbers and titles are *tentative*: they only count as references when the document has
such a clause (the resolver drops the others), because `in 2.5` may just be a number.

A reference into another document ('§5.2 of [RFC3986]', 'see [XMLDSIG] §4.3', 'RFC 3986 section 5',
'§ 12 ZPO') is marked `external`, with the document when the text names it (`cited_document`): the
profile's `external_after` / `external_before` patterns decide, and a reference joined by list words
to the one after such a citation ('[ISO14977], §4.19 and §5.11') shares it. Taking a reference to
this document for a citation would silently unlink it, so a bracket that holds one of this
document's clause titles or gives a page ('Section 3.6 [Redirections], page 38') or an annotation
('[Optional]') is never a citation.
Each reference records the printed text, the normalized target ids, and the exact pieces of text
that become links (`see [9.1.2](...)`, `[§§ 3](...)–[5](...)`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

import regex

from schemas.link_profile import LinkRules
from specmill.links.markdown import Span, code_spans, inline_math_spans, overlaps, protected_spans
from specmill.links.scan import CaselessWords, finditer_at
from specmill.links.titles import TitleFinder
from specmill.profile_patterns import ProfilePattern, profile_pattern

# A clause id as printed after a section sign or a clause word: '17.9.11', '823a', 'A.3'.
_ID = r"(?:[A-Z](?:\.\d+)+|\d+[a-z]?(?:\.\d+)*)(?![\w\u00b7])(?!\.\d)"
_DOTTED_ID = r"\d+(?:\.\d+)+|[A-Z](?:\.\d+)+"  # '9.1.2', 'A.3'
_BARE_DOTTED = re.compile(rf"(?<![\w.\u00a7\-/:#@$])({_DOTTED_ID})(?![\w\-/])(?!\.\d)")
_DOT_DIGIT = re.compile(r"\.\d")
_SPACE = r"[ \t\u00a0\u2009\u202f]*"
# '<manifest:file-entry> 4.3', '`<dsig:document-signatures>` 5.2', 'manifest:size 4.16.13',
# '`<manifest:manifest>` element 4.2'.
_QUALIFIED_NAME_BEFORE = re.compile(
    r"(?:`?<[\w.-]+:[\w.-]+[^<>\n]*>`?|\b[\w.-]+:[\w.-]+`?)(?:[ \t\u00a0]+(?:element|attribute)s?)?[ \t\u00a0]*$"
)
_REFERENCE_THEN_COMMA = re.compile(r"(?:§[ \t\u00a0]*|\b\d+\.)\d+(?:\.\d+)*[\])]?,[ \t\u00a0]*$")
_OPEN_PAREN_BEFORE = re.compile(r"\([ \t\u00a0]*$")
_LAST_WORD = re.compile(r"([^\s(\[]+)[ \t\u00a0]*$")
_NEXT_WORD = re.compile(r"^[ \t\u00a0]*([^\s,;:)\]]+)")
_LATEX_SECTION = re.compile(r"\\S(?![a-zA-Z])")
_LATEX_SPACING = re.compile(r"\\[,;:! ]|~|\\quad")


@dataclass(frozen=True)
class LinkSpan:
    """A piece of the reference that becomes one link (or, unresolved, plain normalized text)."""

    start: int
    end: int
    target_id: str
    label: str  # the text written: the printed text with a damaged sign repaired


@dataclass(frozen=True)
class FoundReference:
    start: int
    end: int
    raw_text: str
    form: str
    target_ids: tuple[str, ...]  # normalized; a range gives its two ends, the resolver expands it
    links: tuple[LinkSpan, ...]
    is_range: bool = False
    external: bool = False
    cited_document: str | None = None  # the other document, as the text names it
    tentative: bool = False
    line: int = 1


@dataclass
class ReferenceExtractor:
    """Compiled once per profile (and per document, for its clause titles)."""

    rules: LinkRules
    titles: tuple[str, ...] = ()
    # clause id -> its title: a bare number printed right after its own clause's title
    # ('Normative References 1.3' in a change log) is a reference.
    id_titles: dict[str, str] = field(default_factory=dict)

    # -- compiled patterns ----------------------------------------------------------------------

    @cached_property
    def _sign(self) -> str:
        signs = sorted(self.rules.section_signs, key=len, reverse=True)
        return "(?:" + "|".join(re.escape(sign) for sign in signs) + ")"

    @cached_property
    def _range_connector(self) -> str:
        words = sorted(self.rules.range_connectors, key=len, reverse=True)
        return "(?:" + "|".join(_word(word) for word in words) + ")"

    @cached_property
    def _list_connector(self) -> str:
        words = sorted(self.rules.list_connectors, key=len, reverse=True)
        return "(?:" + "|".join(_word(word) for word in words) + ")"

    @cached_property
    def _connector(self) -> re.Pattern[str]:
        return re.compile(rf"{_SPACE}(?:(?P<range>{self._range_connector})|(?P<list>{self._list_connector}(?:{_SPACE}{self._list_connector})?)){_SPACE}")

    @cached_property
    def _section_sign(self) -> re.Pattern[str]:
        return re.compile(rf"(?P<sign>{self._sign}(?:{_SPACE}{self._sign})?){_SPACE}(?P<id>{_ID})")

    @cached_property
    def _clause_word(self) -> re.Pattern[str]:
        words = "|".join(re.escape(word) for word in sorted(self.rules.clause_words, key=len, reverse=True))
        # MinerU bolds some linked numbers: "in section **3.3**, so the explanations".
        return re.compile(rf"(?<![\w-])(?P<word>(?i:{words})){_SPACE}(?P<bold>\*\*)?(?P<id>{_ID})(?(bold)\*\*)")

    @cached_property
    def _annex(self) -> re.Pattern[str]:
        words = "|".join(re.escape(word) for word in self.rules.annex_words)
        return re.compile(rf"(?<![\w-])(?i:{words}){_SPACE}(?P<letter>[A-Z])(?P<sub>(?:\.\d+)+)?(?![\w-])(?!\.\d)")

    @cached_property
    def _id_only(self) -> re.Pattern[str]:
        return re.compile(_ID)

    @cached_property
    def _external_after(self) -> list[ProfilePattern]:
        return [profile_pattern("links.external_after", pattern, prefix=_SPACE) for pattern in self.rules.external_after]

    @cached_property
    def _subdivisions(self) -> re.Pattern[str]:
        words = "|".join(_word(word) for word in sorted(self.rules.subdivision_words, key=len, reverse=True))
        member = r"(?:\d+[a-z]?|[a-z]\b|\(\w+\))"  # '2', '4a', 'b', '(3)': never a word of the sentence
        joined = rf"{member}(?:{_SPACE}(?:,|{self._list_connector}|{self._range_connector}){_SPACE}{member})*"
        return re.compile(rf"(?:{_SPACE}(?:{words}){_SPACE}{joined})*") if words else re.compile("")

    @cached_property
    def _external_before(self) -> list[ProfilePattern]:
        return [profile_pattern("links.external_before", pattern) for pattern in self.rules.external_before]

    @cached_property
    def _own_title_keys(self) -> frozenset[str]:
        """This document's clause titles, compared without case, spaces or hyphens: a bracket
        after a reference that holds one ('Section 3.6 [Redirections]') names the clause, not a
        document (the Texinfo cross-reference style)."""
        return frozenset(_title_key(title) for title in (*self.titles, *self.id_titles.values()) if _title_key(title))

    @cached_property
    def _not_cited(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.rules.not_cited_documents)

    @cached_property
    def _title_finder(self) -> TitleFinder | None:
        if not (self.rules.title_references and self.titles):
            return None
        # A title that is itself a clause word (lwarp-manual documents a package named "section")
        # reads as the word: "See section 60.5" cites clause 60.5, not that package.
        titles = sorted(
            {t for t in self.titles if len(t) >= self.rules.title_min_chars and t[:1].isalpha() and t.lower() not in self._clause_words},
            key=len, reverse=True,
        )
        if not titles:
            return None
        # A clause word is a cue too: "the section What next?".
        cues = sorted({*self.rules.title_cues, *(word.lower() for word in self.rules.clause_words)}, key=len, reverse=True)
        # The cue in any case, the title as printed: 'see general rules' is not clause 'General'.
        return TitleFinder(cues, [_word(cue) for cue in cues], titles)

    @cached_property
    def _clause_word_starts(self) -> CaselessWords:
        return CaselessWords(self.rules.clause_words)

    @cached_property
    def _annex_starts(self) -> CaselessWords:
        return CaselessWords(self.rules.annex_words)

    @cached_property
    def _sign_pattern(self) -> re.Pattern[str]:
        return re.compile(self._sign)

    @cached_property
    def _list_continuation(self) -> re.Pattern[str]:
        return re.compile(rf"{_SPACE}(?:{self._list_connector}{_SPACE})+")

    @cached_property
    def _units(self) -> frozenset[str]:
        return frozenset(unit.lower() for unit in self.rules.units)

    @cached_property
    def _value_words(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.rules.value_words)

    @cached_property
    def _not_before(self) -> frozenset[str]:
        return frozenset(word.lower().rstrip(".") for word in self.rules.not_reference_before) | _NEVER_BEFORE

    @cached_property
    def _named_cue(self) -> re.Pattern[str] | None:
        if not self.rules.named_cues:
            return None
        cues = "|".join(_word(cue) for cue in self.rules.named_cues)
        return re.compile(rf"(?i:{cues}){_SPACE}(?P<name>`?[A-Za-z_][\w:.-]*`?){_SPACE}$")

    @cached_property
    def _clause_words(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.rules.clause_words)

    @cached_property
    def _cues(self) -> frozenset[str]:
        return frozenset(word.lower() for word in self.rules.dotted_cues)

    @cached_property
    def _extra(self) -> list[tuple[ProfilePattern, str, str]]:
        return [
            (profile_pattern("links.extra_patterns", pattern.regex), pattern.template, pattern.form)
            for pattern in self.rules.extra_patterns
        ]

    # -- extraction -----------------------------------------------------------------------------

    def extract(self, text: str, *, running_lines: frozenset[str] = frozenset()) -> list[FoundReference]:
        """Every reference in `text`, in order, none overlapping another or a protected span."""
        code = code_spans(text)
        math = self._section_math(text, code)
        # Most files hold no candidate at all: the protected spans are worked out at the first one.
        protection: list[tuple[list[Span], list[int]]] = []

        def is_protected(start: int, end: int) -> bool:
            if not protection:
                allowed = [(s, e) for s, e, _ in math]
                spans = protected_spans(text, running_lines=running_lines, math_allowed=allowed, code=code)
                protection.append((spans, [span_start for span_start, _ in spans]))
            spans, starts = protection[0]
            return overlaps(spans, start, end, starts)

        found: list[FoundReference] = []
        taken: list[Span] = []

        def accept(reference: FoundReference | None) -> None:
            if reference is None or is_protected(reference.start, reference.end):
                return
            if any(start < reference.end and reference.start < end for start, end in taken):
                return
            taken.append((reference.start, reference.end))
            found.append(reference)

        for start, end, inner in math:
            accept(self._math_reference(text, start, end, inner))
        for match in self._section_sign.finditer(text):
            accept(self._section_sign_reference(text, match))
        for pattern, template, form in self._extra:
            for match in pattern.finditer(text):
                accept(self._extra_reference(text, match, template, form))
        for match in _caseless_finditer(self._annex, self._annex_starts, text):
            accept(self._annex_reference(text, match))
        for match in _caseless_finditer(self._clause_word, self._clause_word_starts, text):
            accept(self._clause_word_reference(text, match))
        if self._title_finder is not None:
            for start, title_start, title_end in self._title_finder.finditer(text):
                if not text[title_start].isupper() and text[start:title_start].strip().lower() in self._clause_words:
                    continue  # "paragraph notes", "section option": after a clause word only a capitalised title
                accept(self._title_reference(text, start, title_start, title_end))
        self._bare_numbers(text, is_protected, taken, accept)
        for reference in list(found):
            accept(self._own_title_after(text, reference))
            accept(self._own_title_before(text, reference))
        for reference in self._titles_before_clause_words(text):
            accept(reference)
        found.sort(key=lambda reference: reference.start)
        found = self._share_citations(text, found)
        # A paragraph that is nothing but a clause number is what is left of a heading ("Annex B"
        # over "(informative)", "8.11.1" whose title MinerU set apart): no reference.
        found = [r for r in found if not self._heading_residue(text, r)]
        local = _numbered_parts(text)
        if local:
            # A text with numbered parts of its own (an appendix that prints the GNU FDL: "3. COPYING
            # IN QUANTITY") means them by "section 3": never this document's clause 3.
            found = [r for r in found if not (r.form == "clause_word" and all(target in local for target in r.target_ids))]
        return [replace(reference, line=text.count("\n", 0, reference.start) + 1) for reference in found]

    def _share_citations(self, text: str, found: list[FoundReference]) -> list[FoundReference]:
        """A reference that follows a citation of another document, joined to it by list words only,
        cites that document too: in '[ISO14977], §4.19 and §5.11' both are clauses of ISO 14977.

        Only forwards. Backwards ('§ 1600d oder § 182 Abs. 1 des Gesetzes über …', where § 1600d is
        this code's own) a list mixes documents too often to guess."""
        for index in range(1, len(found)):
            left, right = found[index - 1], found[index]
            if left.external and not right.external and right.form != "title" and self._joined(text, left, right):
                found[index] = replace(right, external=True, cited_document=left.cited_document)
        # Backwards only where each reference carries its quoted title, the way one document's
        # clauses are cited ('section 6.2.5 "The UnsignedSignatureProperties element" and
        # section 7.3 "The SignatureTimeStamp element" of [XAdES]').
        for index in range(len(found) - 1, 0, -1):
            left, right = found[index - 1], found[index]
            if right.external and not left.external and left.form != "title" and _QUOTED_TITLE.match(text, left.end) and self._joined(text, left, right):
                found[index - 1] = replace(left, external=True, cited_document=right.cited_document)
        return found

    def _joined(self, text: str, left: FoundReference, right: FoundReference) -> bool:
        """Only list words (',', 'and', 'oder') stand between two references, and perhaps a quoted
        title after the first ('§6.2.5 "The Unsigned… element" and §7.3')."""
        title = _QUOTED_TITLE.match(text, left.end, right.start)
        return self._list_continuation.fullmatch(text, title.end() if title else left.end, right.start) is not None

    # -- one function per form ------------------------------------------------------------------

    def _section_math(self, text: str, code: list[Span] | None = None) -> list[tuple[int, int, str]]:
        """`$§17.4.62$` / `$\\S 17.4$` spans with the reference inside, normalized to '§17.4.62'."""
        found = []
        for start, end in inline_math_spans(text, code=code):
            inner = _LATEX_SPACING.sub(" ", _LATEX_SECTION.sub("§", text[start + 1 : end - 1])).strip()
            if self._section_sign.fullmatch(inner):
                found.append((start, end, inner))
        return found

    def _math_reference(self, text: str, start: int, end: int, inner: str) -> FoundReference | None:
        match = self._section_sign.fullmatch(inner)
        assert match is not None
        target = match.group("id")
        label = f"§{target}"
        return FoundReference(
            start, end, text[start:end], "section_sign", (target,), (LinkSpan(start, end, target, label),),
            **self._citation(text, start, end),
        )

    def _section_sign_reference(self, text: str, match: re.Match[str]) -> FoundReference | None:
        sign = match.group("sign")
        double = len(self._sign_pattern.findall(sign)) > 1
        first = match.group("id")
        sign_label = self._normal_sign(text[match.start() : match.start("id")])
        links = [LinkSpan(match.start(), match.end(), first, sign_label + first)]
        ids = [first]
        end = match.end()
        is_range = False
        form = "section_sign"
        if double:
            end, more, is_range = self._sequence(text, end, links)
            ids += more
            if more:
                form = "range" if is_range else "list"
        return FoundReference(
            match.start(), end, text[match.start() : end], form, tuple(ids), tuple(links), is_range=is_range,
            **self._citation(text, match.start(), end),
        )

    def _sequence(self, text: str, position: int, links: list[LinkSpan]) -> tuple[int, list[str], bool]:
        """The rest of '§§ 3–5' or '§§ 823, 826 und 831' after its first id: (end, ids, is a range)."""
        ids: list[str] = []
        is_range = False
        while True:
            connector = self._connector.match(text, position)
            if connector is None:
                break
            following = self._id_only.match(text, connector.end())
            if following is None or not _same_shape(links[0].target_id, following.group(0)):
                break
            if connector.group("range"):
                if is_range or ids:
                    break  # '3–5–7' or '3, 4–6': keep the clear part only
                is_range = True
            elif is_range:
                break
            ids.append(following.group(0))
            links.append(LinkSpan(following.start(), following.end(), following.group(0), following.group(0)))
            position = following.end()
            if is_range:
                break
        return position, ids, is_range

    def _clause_word_reference(self, text: str, match: re.Match[str]) -> FoundReference | None:
        first = match.group("id")
        if "." not in first and not first.isdigit() and not first[:-1].isdigit():
            return None
        before = text[max(0, match.start() - 40) : match.start()]
        label = _LAST_WORD.search(before)
        if label and label.group(1) in self.rules.clause_word_labels:
            return None  # "Conformance Clause 1": a name of its own
        if _REFERENCE_THEN_COMMA.search(before):
            return None  # "See §3.27.8, paragraph 2": a paragraph of that clause
        links = [LinkSpan(match.start(), match.end(), first, text[match.start() : match.end()])]
        ids = [first]
        end = match.end()
        is_range = False
        if match.group("word").lower().endswith("s"):
            end, more, is_range = self._sequence(text, end, links)
            ids += more
        return FoundReference(
            match.start(), end, text[match.start() : end], "clause_word", tuple(ids), tuple(links), is_range=is_range,
            **self._citation(text, match.start(), end),
        )

    def _annex_reference(self, text: str, match: re.Match[str]) -> FoundReference:
        letter, sub = match.group("letter"), match.group("sub")
        target = f"{letter}{sub}" if sub else f"Annex {letter}"
        span = LinkSpan(match.start(), match.end(), target, text[match.start() : match.end()])
        return FoundReference(
            match.start(), match.end(), match.group(0), "annex", (target,), (span,),
            **self._citation(text, match.start(), match.end()),
        )

    def _extra_reference(self, text: str, match: regex.Match, template: str, form: str) -> FoundReference:
        target = template.format(id=match.group("id"))
        start, end = match.span("link") if "link" in match.groupdict() and match.group("link") else match.span()
        span = LinkSpan(start, end, target, text[start:end])
        return FoundReference(
            match.start(), match.end(), match.group(0), form, (target,), (span,),
            **self._citation(text, match.start(), match.end()),
        )

    def _own_title_after(self, text: str, reference: FoundReference) -> FoundReference | None:
        """The clause's title printed right after a reference to it ("see section 29, Package
        options", LaTeX's `\\ref` and `\\nameref` side by side) is linked too, as the PDF links it."""
        title = self._single_target_title(reference)
        if title is None:
            return None
        target = reference.target_ids[0]
        gap = _TITLE_GAP.match(text, reference.end)
        if gap is None:
            return None
        start = gap.end()
        printed = " ".join(text[start : start + 2 * len(title)].split())
        if not printed.startswith(title) or printed[len(title) : len(title) + 1].isalnum():
            return None
        end = _end_of_printed(text, start, title)
        span = LinkSpan(start, end, target, text[start:end])
        return FoundReference(start, end, text[start:end], "title", (target,), (span,))

    def _own_title_before(self, text: str, reference: FoundReference) -> FoundReference | None:
        """The clause's title printed right before a reference to it ("as per Special cases and
        limitations, section 8"): linked too."""
        title = self._single_target_title(reference)
        if title is None:
            return None
        before = text[max(0, reference.start - len(title) - 4) : reference.start]
        gap = _TITLE_GAP_BEFORE.search(before)
        if gap is None:
            return None  # "Normative References 1.3" is read by _after_own_title; its title stays text
        end = reference.start - (len(before) - gap.start())
        start = _start_of_printed_before(text, end, title)
        if start is None or start > 0 and (text[start - 1].isalnum() or text[start - 1] in "*_"):
            return None
        target = reference.target_ids[0]
        span = LinkSpan(start, end, target, text[start:end])
        return FoundReference(start, end, text[start:end], "title", (target,), (span,))

    def _single_target_title(self, reference: FoundReference) -> str | None:
        """The title of the one clause of this document a reference names, if long enough."""
        if reference.external or len(reference.target_ids) != 1 or not self.rules.title_references or reference.form == "title":
            return None
        title = self.id_titles.get(reference.target_ids[0])
        return title if title and len(title) >= self.rules.title_min_chars and " ".join(title.split()) == title else None

    @cached_property
    def _capitalised_titles(self) -> tuple[frozenset[str], frozenset[str], int]:
        """Clause titles starting with a capital, as printed; their last words; the most words
        any of them has."""
        if not self.rules.title_references:
            return frozenset(), frozenset(), 0
        titles = frozenset(
            t for t in (*self.titles, *self.id_titles.values())
            if len(t) >= self.rules.title_min_chars and t[:1].isupper() and " ".join(t.split()) == t
        )
        return titles, frozenset(t.rsplit(" ", 1)[-1] for t in titles), max((len(t.split()) for t in titles), default=0)

    @cached_property
    def _clause_word_alone(self) -> re.Pattern[str]:
        words = "|".join(_word(word) for word in self.rules.clause_words)
        return re.compile(rf"(?<![\w-])(?i:{words})(?![\w-])")

    def _titles_before_clause_words(self, text: str) -> Iterator[FoundReference]:
        """A capitalised clause title followed by a clause word: "A Troubleshooting section is
        also available". Capitals required: "the following section" names no clause."""
        titles, last_words, longest = self._capitalised_titles
        if not titles or not self.rules.clause_words:
            return
        for match in _caseless_finditer(self._clause_word_alone, self._clause_word_starts, text):
            before = match.start() - 1  # the one space between the title and the clause word
            if before < 1 or text[before] != " " or text[before - 1].isspace():
                continue
            line_start = text.rfind("\n", 0, before) + 1
            words = text[max(line_start, before - 400) : before].rsplit(None, longest)[-longest:]
            if not words or words[-1] not in last_words or _OF_ANOTHER_DOCUMENT.match(text, match.end()) or _NUMBER_NEXT.match(text, match.end()):
                continue  # no title ends here; "the Security … section of [RFC3986]"; "Conformance Clause 1" names a clause
            for first in range(len(words)):
                printed = " ".join(words[first:])
                if printed in titles:
                    start = before - len(printed)
                    if text[start:before] == printed:  # single spaces, as the title is printed
                        yield self._title_reference(text, start, start, before)
                    break

    def _title_reference(self, text: str, cue_start: int, start: int, end: int) -> FoundReference:
        title = " ".join(text[start:end].split())
        span = LinkSpan(start, end, f"title:{title.lower()}", text[start:end])
        return FoundReference(cue_start, end, text[cue_start:end], "title", (f"title:{title.lower()}",), (span,), tentative=True)

    def _bare_numbers(self, text: str, is_protected: Callable[[int, int], bool], taken: list[Span], accept) -> None:
        """Dotted numbers whose context makes them references; a list after an accepted one
        ('see 9.1.2 and 9.1.3', '4.16.4, manifest:media-type 4.16.10') continues it."""
        previous_end = -1
        for match in finditer_at(_BARE_DOTTED, text, _dotted_number_starts(text)):
            number = match.group(1)
            start, end = match.span(1)
            if is_protected(start, end) or any(s < end and start < e for s, e in taken):
                continue
            line_start = text.rfind("\n", 0, start) + 1
            before = text[max(line_start, start - 80) : start]
            after = text[end : end + 30]
            continues = previous_end >= 0 and self._list_continuation.fullmatch(text[previous_end:start]) is not None
            # "See section" and "7.6." as two paragraphs (MinerU split the sentence at a linked
            # number): the cue is the end of the paragraph before.
            split_cue = "" if before.strip() else _unfinished_paragraph_before(text, line_start)
            if not (
                continues or self._after_own_title(number, before) or self._bare_number_is_reference(number, before, after)
                or (split_cue and self._ends_with_cue(split_cue)) or _in_a_cell_of_ids(text, start, end)
            ):
                continue
            cue = _LAST_WORD.search(before)
            cue_start = start - len(cue.group(0)) if cue and cue.group(1).lower() in self._cues else start
            span = LinkSpan(start, end, number, number)
            reference = FoundReference(
                cue_start, end, text[cue_start:end], "dotted", (number,), (span,), tentative=True,
                **self._citation(text, start, end),
            )
            before_count = len(taken)
            accept(reference)
            if len(taken) > before_count:
                previous_end = end

    def _heading_residue(self, text: str, reference: FoundReference) -> bool:
        """The reference is its line's whole text, and the paragraph before does not lead up to it
        ("See section" / "7.6": MinerU's split sentence)."""
        line_start = text.rfind("\n", 0, reference.start) + 1
        line_end = text.find("\n", reference.end)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if reference.form == "title" or line.strip().strip("*").strip() != reference.raw_text.strip().strip("*").strip():
            return False
        split_cue = _unfinished_paragraph_before(text, line_start)
        return not (split_cue and self._ends_with_cue(split_cue))

    def _ends_with_cue(self, text: str) -> bool:
        """The text ends with a clause word ("section") or a dotted-number cue ("see")."""
        last = _LAST_WORD.search(text + " ")
        word = last.group(1).lower() if last else ""
        return word in self._cues or word in self._clause_words

    def _after_own_title(self, number: str, before: str) -> bool:
        title = self.id_titles.get(number)
        if not title or len(title) < 4:
            return False
        plain = " ".join(before.replace("`", "").split()).lower()
        return plain.endswith(" ".join(title.replace("`", "").split()).lower())

    def _after_own_title_word(self, number: str, before: str) -> bool:
        """The word just before the number is a word of that clause's title ("the procedure for
        resolving IRIs 3.7," where 3.7 is "Usage of IRIs Within Packages"); a version ("ODF 1.2")
        rarely repeats its clause's title."""
        title = self.id_titles.get(number)
        last = _LAST_WORD.search(before)
        word = last.group(1).lower() if last else ""
        if not title or len(word) < 4 or not word.isalpha() or word in self._clause_words:
            return False
        title_words = {w.lower() for w in re.findall(r"[\w-]+", title)}
        return word in title_words or word.rstrip("s") in {w.rstrip("s") for w in title_words}

    def _bare_number_is_reference(self, number: str, before: str, after: str) -> bool:
        last = _LAST_WORD.search(before)
        last_word = last.group(1).lower().rstrip(".,") if last else ""
        if last_word in self._not_before:
            return False
        following = _NEXT_WORD.match(after)
        if following and following.group(1).lower().rstrip(".") in self._units:
            return False
        if after.lstrip().startswith("%"):
            return False
        if last_word in self._cues or self._after_own_title_word(number, before):
            return True
        if _OPEN_PAREN_BEFORE.search(before):
            word = _LAST_WORD.search(before.rstrip()[:-1])
            deep = self.rules.deep_numbers_are_references and number.count(".") >= 2  # "the value (10.5.8.2)": no value
            return deep or not (word and word.group(1).lower() in self._value_words)  # "floating-point numbers (3.14)"
        if self.rules.qualified_name_cue and _QUALIFIED_NAME_BEFORE.search(before):
            return True
        named = self._named_cue.search(before) if self._named_cue is not None else None
        if named is not None and named.group("name").strip("`").lower() not in self._value_words:
            return True
        return self.rules.deep_numbers_are_references and number.count(".") >= 2

    # -- shared ---------------------------------------------------------------------------------

    def _normal_sign(self, printed: str) -> str:
        """'§ ' stays '§ '; a damaged glyph becomes '§'; '§§' stays double."""
        return self._sign_pattern.sub("§", printed)

    def _citation(self, text: str, start: int, end: int) -> dict[str, object]:
        """The FoundReference fields saying whether the reference at [start, end) names a clause of
        another document, and which: `external`, `cited_document`."""
        cited = self._cited_document(text, start, end)
        if cited is None:
            return {"external": False, "cited_document": None}
        return {"external": True, "cited_document": cited or None}

    def _cited_document(self, text: str, start: int, end: int) -> str | None:
        """The other document a reference points into ('' when the text does not name it), or
        None for a reference into this document. Only the reference's own line is read."""
        line_end = text.find("\n", end)
        after = _without_emphasis(text[end : line_end if line_end >= 0 else len(text)])
        after = after[self._subdivisions.match(after).end() :]
        title = _TITLE_IN_PARENTHESES.match(after)
        if title:  # '§5.3 (“Request Target”) of the HTTP standard [RFC7230]'
            after = after[title.end() :]
        for pattern in self._external_after:
            cited = self._citation_named(pattern.match(after))
            if cited is not None:
                return cited
        line_start = text.rfind("\n", 0, start) + 1
        before = _without_emphasis(text[max(line_start, start - 60) : start])
        for pattern in self._external_before:
            cited = self._citation_named(pattern.search(before))
            if cited is not None:
                return cited
        return None

    def _citation_named(self, match: regex.Match | None) -> str | None:
        """The document a citation pattern's match names ('' when its pattern names none); None
        when nothing matched, or the 'document' is one of this document's clause titles or an
        annotation ('[Note: …]'): then the reference stays in this document."""
        if match is None:
            return None
        named = match.groupdict().get("doc")
        if named is None:
            return ""
        name = document_name(named)
        if not name or _title_key(name) in self._own_title_keys or name.split()[0].rstrip(":").lower() in self._not_cited:
            return None
        if _PAGE_AFTER.match(match.string, match.end()):
            return None  # 'Section 4.2 [Bash Builtins], page 55': a node of this document, on one of its pages
        return name


def document_name(printed: str) -> str:
    """A cited document's name as printed, tidied so that one document is counted once:
    brackets, Markdown escapes and a closing full stop dropped, spaces collapsed, and a space
    between a standard's series and its number ('RFC3986' and 'RFC 3986' -> 'RFC 3986')."""
    name = " ".join(printed.replace("\\", "").replace("*", "").strip().strip("[]").split()).rstrip(".,;:")
    series = _SERIES_NUMBER.fullmatch(name)
    return f"{series.group(1)} {series.group(2)}" if series else name


def _unfinished_paragraph_before(text: str, line_start: int) -> str:
    """The end of the previous non-blank line when it breaks off mid-sentence (it ends in a
    letter: "See section"), else ""."""
    previous = text[:line_start].rstrip()
    if not previous or not previous[-1].isalpha():
        return ""
    return previous[max(previous.rfind("\n") + 1, len(previous) - 80) :]


def _without_emphasis(context: str) -> str:
    """The text around a reference without Markdown's emphasis marks: '**[DSS1Core],** section 5.1'
    cites as '[DSS1Core], section 5.1' does."""
    return context.replace("*", "") if "*" in context else context


# 'RFC3986', 'ISO14977:1996', 'RFC 3986': a series in capitals and its number (three digits or more:
# 'JSCHEMA01' is a citation key, not a series), nothing else.
_SERIES_NUMBER = re.compile(r"([A-Z]{2,})\s*(\d{3,}(?:[:.\-]\d+)*)")
_NOT_TITLE_CHARS = re.compile(r"[\W_]+")
# A cross-reference that gives its page ('[Bash Builtins], page 55', Texinfo's style) points into this document.
_PAGE_AFTER = re.compile(r"[ \t\u00a0]*,?[ \t\u00a0]*(?:on[ \t\u00a0]+)?pages?[ \t\u00a0]+\d")
_TITLE_IN_PARENTHESES = re.compile(r"[ \t\u00a0]*\([ \t\u00a0]*[“\"][^”\"\n]{1,100}[”\"][ \t\u00a0]*\)")
_QUOTED_TITLE = re.compile(r"[ \t\u00a0]*[“\"][^”\"\n]{1,100}[”\"]")


def _title_key(title: str) -> str:
    """A title compared without case, spaces, hyphens (a line-end hyphen) or Markdown marks."""
    return _NOT_TITLE_CHARS.sub("", title.lower())


# Captions, pages and list items are numbered too, but never clauses.
_NEVER_BEFORE = frozenset({"table", "figure", "fig", "equation", "eq", "example", "page", "pages", "p", "pp", "listing", "tab", "abb", "nr", "no"})


_NUMBER_NEXT = re.compile(r"[ \t\u00a0]+§?[ \t\u00a0]*\d")
_OF_ANOTHER_DOCUMENT = re.compile(r"\s+(?:of|in)\b")
_TITLE_GAP_BEFORE = re.compile(r"[,:][ \t]{1,3}$")
_TITLE_GAP = re.compile(r"\)?[,:]?[ \t]{1,3}")


def _start_of_printed_before(text: str, end: int, title: str) -> int | None:
    """Where `title` starts when it is printed right before `end`, MinerU's bold marks inside it
    allowed ("see **siunitx** package, section 8.7.15", lwarp-manual); None when it is not.
    A bold run is taken whole, so the link text keeps its marks balanced."""
    position = end
    for char in reversed(title):
        while position > 0 and text[position - 1] == "*":
            position -= 1
        if position == 0 or text[position - 1] != char:
            return None
        position -= 1
    while position > 0 and text[position - 1] == "*":
        position -= 1
    return position if text[position:end].count("*") % 4 == 0 else None


def _end_of_printed(text: str, start: int, title: str) -> int:
    """Where `title` ends in `text` from `start`, the text's spaces and line breaks between its
    words allowed (the caller has checked that it is printed there)."""
    wanted = len(title.replace(" ", ""))
    position = start
    while wanted and position < len(text):
        if not text[position].isspace():
            wanted -= 1
        position += 1
    return position


_NUMBERED_PART = re.compile(r"^(\d{1,2})\. [A-Z]{2,}(?: [A-Z]{2,})*\b", re.MULTILINE)


def _numbered_parts(text: str) -> frozenset[str]:
    """Numbers of the parts a text prints as its own ('0. PREAMBLE', '1. APPLICABILITY AND
    DEFINITIONS', …: capitals, at a paragraph's start), when it prints at least three in a row."""
    numbers = [int(match.group(1)) for match in _NUMBERED_PART.finditer(text)] if ". " in text else []
    if len(numbers) < 3 or numbers != sorted(set(numbers)) or numbers[-1] - numbers[0] != len(numbers) - 1:
        return frozenset()
    return frozenset(str(number) for number in numbers)


def _word(word: str) -> str:
    escaped = re.escape(word)
    return rf"(?<![\w]){escaped}(?![\w])" if word[:1].isalnum() else escaped


def _same_shape(first: str, other: str) -> bool:
    """Members of one range or list look alike: '3' and '5', '17.4.1' and '17.4.3', '823' and '826a'."""
    return first.count(".") == other.count(".") and first[:1].isdigit() == other[:1].isdigit()


def _caseless_finditer(pattern: re.Pattern[str], words: CaselessWords, text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that starts with one of `words` (case-insensitive)."""
    starts = words.starts(text)
    return pattern.finditer(text) if starts is None else finditer_at(pattern, text, starts)


_CELL_OF_IDS = re.compile(rf"\s*(?:{_DOTTED_ID})(?:\s*(?:,|;|and|&)\s*(?:{_DOTTED_ID}))*\s*")


def _in_a_cell_of_ids(text: str, start: int, end: int) -> bool:
    """The number stands in a table cell that holds clause numbers only, two or more or one in an
    annex ("| 9.1, A.2 |", an annex's guideline table): a lone "1.1" in a cell may be a version."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    if not line.lstrip().startswith("|"):
        return False
    left = text.rfind("|", line_start, start)
    right = text.find("|", end, line_start + len(line))
    if left == -1 or right == -1:
        return False
    cell = text[left + 1 : right]
    if _CELL_OF_IDS.fullmatch(cell) is None:
        return False
    ids = _BARE_DOTTED.findall(cell)
    return len(ids) >= 2 or ids[0][:1].isalpha()


def _dotted_number_starts(text: str) -> list[int]:
    """Every place a `_BARE_DOTTED` match may start: the digits or the capital before a '.digit'."""
    starts: list[int] = []
    for dot in _DOT_DIGIT.finditer(text):
        start = dot.start()
        while start and text[start - 1].isdecimal():  # `\d` is a Unicode decimal digit, as here
            start -= 1
        if start == dot.start():
            if not (start and "A" <= text[start - 1] <= "Z"):
                continue
            start -= 1
        starts.append(start)
    return starts


def extract_references(
    text: str,
    rules: LinkRules | None = None,
    *,
    titles: tuple[str, ...] = (),
    id_titles: dict[str, str] | None = None,
    running_lines: frozenset[str] = frozenset(),
) -> list[FoundReference]:
    """Convenience wrapper: a fresh extractor for one text."""
    return ReferenceExtractor(rules or LinkRules(), tuple(titles), dict(id_titles or {})).extract(text, running_lines=running_lines)
