"""Vocabulary check and source check of name tokens.

- Vocabulary check: a token that is not a name of its kind but is close to one is a *suspect*.
- Source check: a token the section uses that its own PDF pages do not print, while a close
  vocabulary name is printed there, is a confirmed garble: *actionable*. This also catches
  garbles that spell another real name (`algn` read as `align`), which the vocabulary alone
  cannot see. When more than one printed name is as close, the finding names the others
  (`alternatives`): the PDF disproves the token but cannot say which name it was.
- Place-by-place check (specmill.verify.alignment): a token the checks above let pass, or only
  suspect, is looked up by the words around it in the pages' text layer; where the PDF prints a
  close vocabulary name in its place instead, it is actionable. This catches a garble that
  spells a name printed elsewhere on the same pages (`</Ref>` for `</Row>`, two names swapped).
- Tables: a column's header says what its names are only roughly. A name of another kind in an
  "Element" column is judged as any name, and a lone name in a column whose header does not say
  it holds names, too; both are reported only when the PDF disproves them.

A file's own text is judged against its clause's pages; the lines the tree writes from the
outline (the "Up:" line, an index's contents list) also against the heading pages of the
clauses they title, where those titles are printed.

Closeness is OCR-aware: names that become equal after undoing the usual confusions (rn/m, cl/d,
1/l, 0/o, case, doubled letters) are the closest possible; otherwise the rapidfuzz ratio, with a
bounded length difference, decides."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Finding, TokenKind, VerificationFigures, Vocabulary
from specmill.verify.alignment import PageSequence, PrintedText, TextWords, printed_here
from specmill.verify.navigation import inside, navigation_spans
from specmill.verify.tokens import NameToken, NameTokenCache

_TYPE_KINDS = {"complexType", "simpleType", "group", "attributeGroup", "define"}
_KINDS_FOR_TOKEN: dict[str, set[str]] = {
    "element": {"element"},
    "attribute": {"attribute"},
    "type": _TYPE_KINDS,
    "name": {"element", "attribute"} | _TYPE_KINDS,
}
_CONFUSIONS = (("rn", "m"), ("cl", "d"), ("vv", "w"), ("1", "l"), ("|", "l"), ("0", "o"))

PageWords = Callable[[int], frozenset[str]]
# Tokens shorter than the rules' minimum are too close to too many names for the vocabulary
# check, but a place-by-place match against the PDF can still judge them (`Ma` printed for `Map`).
_MIN_LENGTH_IN_PLACE = 2
# How far a name the PDF prints in a token's place may be from it to be what the token garbles.
_MAX_EDITS_IN_PLACE = 2


def confusion_key(name: str) -> str:
    """A name with OCR confusions undone: equal keys mean 'the same name, misread'."""
    key = name.lower()
    for seen, meant in _CONFUSIONS:
        key = key.replace(seen, meant)
    return re.sub(r"(.)\1+", r"\1", key)


@dataclass(frozen=True)
class ClauseFile:
    """One Markdown file of the tree, the PDF pages its section spans, and the heading pages of
    the other clauses whose titles it prints (its parent in the "Up:" line, an index's sub-clauses)."""

    path: str
    section: str
    markdown: str
    pages: tuple[int, ...] = ()
    title_pages: tuple[int, ...] = ()


class NameIndex:
    """The vocabulary arranged for lookups by token kind."""

    def __init__(self, vocabulary: Vocabulary, rules: VerificationRules):
        self.rules = rules
        by_kind: dict[str, set[str]] = {}
        for entry in vocabulary.names:
            by_kind.setdefault(entry.kind, set()).add(entry.name)
        self._known: dict[str, set[str]] = {}
        self._choices: dict[str, list[str]] = {}
        self._confusable: dict[str, dict[str, list[str]]] = {}
        for token_kind, kinds in _KINDS_FOR_TOKEN.items():
            names = set().union(*(by_kind.get(kind, set()) for kind in kinds))
            self._choices[token_kind] = sorted(names)
            keyed: dict[str, list[str]] = {}
            for name in names:
                keyed.setdefault(confusion_key(name), []).append(name)
            self._confusable[token_kind] = keyed
            self._known[token_kind] = names
        # Any token may legitimately be an enumeration value or a name of another kind used loosely.
        self._known["name"] = self._known["name"] | by_kind.get("enumeration", set())
        self._close_cache: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self._any_name = sorted(self._known["name"])
        self._any_name_keys: dict[str, int] = {}
        for name in self._any_name:
            key = confusion_key(name)
            self._any_name_keys[key] = self._any_name_keys.get(key, 0) + 1
        self._near_cache: dict[str, bool] = {}

    def has_near_name(self, token: str) -> bool:
        """Some vocabulary name other than the token is near it (`_near`): only then can the PDF
        print, in the token's place, a name it garbles. Most names have none, and skip the
        place-by-place check (on a 5,000-page document that is most of its cost)."""
        cached = self._near_cache.get(token)
        if cached is None:
            same_key = self._any_name_keys.get(confusion_key(token), 0) - (1 if token in self._known["name"] else 0)
            cutoff = min(_MAX_EDITS_IN_PLACE, len(token) - 1)
            nearest = process.extract(token, self._any_name, scorer=Levenshtein.distance, score_cutoff=cutoff, limit=2) if cutoff > 0 else []
            cached = same_key > 0 or any(name != token for name, _, _ in nearest)
            self._near_cache[token] = cached
        return cached

    def is_known(self, token: str, kind: TokenKind) -> bool:
        return token in self._known[kind]

    def close_names(self, token: str, kind: TokenKind) -> list[tuple[str, float]]:
        """Vocabulary names close to `token` (never the token itself), best first."""
        cached = self._close_cache.get((token, kind))
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        for name in self._confusable[kind].get(confusion_key(token), []):
            if name != token:
                found[name] = 100.0
        limit = self.rules.max_length_difference
        for name, score, _ in process.extract(
            token, self._choices[kind], scorer=fuzz.ratio, score_cutoff=self.rules.similarity, limit=8
        ):
            if name != token and abs(len(name) - len(token)) <= limit:
                found.setdefault(name, float(score))
        result = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        self._close_cache[(token, kind)] = result
        return result


class _PrintedOnPages:
    """The words printed on any of a section's pages, asked without building their union (one
    union per file cost more than the few questions asked of it)."""

    __slots__ = ("_pages",)

    def __init__(self, pages: list[frozenset[str]]):
        self._pages = pages

    def __contains__(self, word: object) -> bool:
        return any(word in page for page in self._pages)


@dataclass
class _Judgement:
    status: str
    suggestion: str | None
    score: float
    reason: str
    in_vocabulary: bool
    alternatives: tuple[str, ...] = ()


def _printed_with_a_break_hyphen(token: str, words: Container[str]) -> bool:
    """Is `token` printed broken across a line with a hyphen the typesetter added (`Condi-` /
    `tions`)? The page words keep such hyphens, since the PDF cannot tell them from a name's own."""
    return any(f"{token[:cut]}-{token[cut:]}" in words for cut in range(1, len(token)))


def _equally_close(printed: list[tuple[str, float]]) -> tuple[str, ...]:
    """The printed names as close to the token as the best one, after it: the PDF confirms a
    garble but cannot say which of these it garbles."""
    best = printed[0][1]
    return tuple(name for name, score in printed[1:] if score >= best)


def _judge(token: str, kind: TokenKind, index: NameIndex, words: Container[str] | None) -> _Judgement | None:
    known = index.is_known(token, kind)
    if known and (words is None or token in words or _printed_with_a_break_hyphen(token, words)):
        return None
    close = index.close_names(token, kind)
    if not close:
        return None
    if words is None:
        if known:
            return None
        name, score = close[0]
        return _Judgement("suspect", name, score, "not a vocabulary name; no PDF pages to confirm against", False)
    printed = [(name, score) for name, score in close if name in words]
    if known:
        # A real name that its own pages never print, while a near twin is printed there.
        if not printed:
            return None
        name, score = printed[0]
        reason = f"'{token}' is a vocabulary name but not printed on the section's pages; '{name}' is"
        return _Judgement("actionable", name, score, reason, True, _equally_close(printed))
    if token in words:
        name, score = close[0]
        return _Judgement("suspect", name, score, "not a vocabulary name, but the PDF prints it so (not a parse garble)", False)
    if printed:
        name, score = printed[0]
        reason = f"not a vocabulary name and not printed on the section's pages; '{name}' is"
        return _Judgement("actionable", name, score, reason, False, _equally_close(printed))
    name, score = close[0]
    return _Judgement("suspect", name, score, "not a vocabulary name; neither it nor the suggestion is printed on the section's pages", False)


def _judging_kind(token: str, kind: TokenKind, index: NameIndex) -> TokenKind:
    """The kind a table column's token is judged as. Column headers are loose ("Element" over a
    JSON mapping that lists attributes too): a token that is a name of another kind, or close
    to no name of the column's kind but to one of another, is judged as any name."""
    if kind == "name" or index.is_known(token, kind):
        return kind
    if index.is_known(token, "name") or not index.close_names(token, kind):
        return "name"
    return kind


def _judge_tokens(name: str, kind: TokenKind, group: list[NameToken], index: NameIndex, words: Container[str] | None) -> _Judgement | None:
    """`_judge` for one name as a file uses it. A table column's kind is a hint only. Where the
    context is weak, a lone name in a column whose header does not say it holds names
    ("table-cell") or a column's name judged as a name of any kind, the token is reported only
    when the pages disprove it, never for merely resembling a name."""
    judging = _judging_kind(name, kind, index) if any(token.context == "table" for token in group) else kind
    judgement = _judge(name, judging, index, words)
    weak = judging != kind or all(token.context == "table-cell" for token in group)
    if judgement is not None and weak and judgement.status != "actionable":
        return None
    return judgement


def _near(token: str, name: str) -> bool:
    """Is `name` close enough to `token` to be what it garbles, once the PDF prints `name` in its place?"""
    if confusion_key(token) == confusion_key(name):
        return True
    return Levenshtein.distance(token, name, score_cutoff=_MAX_EDITS_IN_PLACE) <= min(_MAX_EDITS_IN_PLACE, len(token) - 1)


def _judge_in_place(name: str, group: list[NameToken], text: TextWords, printed: PrintedText, index: NameIndex) -> _Judgement | None:
    """The place-by-place source check (specmill.verify.alignment) of every occurrence of a name
    the page-level checks let pass. A correction is safe only when every occurrence is shown to
    be the same other name; otherwise the finding lists the token itself among the alternatives."""
    judged: dict[str, bool] = {}

    def close(word: str) -> bool:
        if word not in judged:
            judged[word] = index.is_known(word, "name") and _near(name, word)
        return judged[word]

    instead: Counter[str] = Counter()
    unproven = 0
    for token in group:
        at = text.index_at(token.start)
        here = printed_here(text, at, printed, close) if at is not None else frozenset()
        if not here:
            unproven += 1
        instead.update(here)
    if not instead:
        return None
    (suggestion, _), *others = sorted(instead.items(), key=lambda item: (-item[1], item[0]))
    alternatives = tuple(other for other, _ in others) + ((name,) if unproven else ())
    wrong = len(group) - unproven
    reason = f"the PDF prints '{suggestion}' in its place (the words around it match; {wrong} of {len(group)} places here)"
    return _Judgement("actionable", suggestion, float(fuzz.ratio(name, suggestion)), reason, index.is_known(name, "name"), alternatives)


def _foreign(token: NameToken, vocabulary_prefixes: set[str], rules: VerificationRules) -> bool:
    """A name in another vocabulary's namespace (`ds:KeyInfo` in an ODF spec): when the schemas
    write prefixes, a prefix they never use marks a foreign name."""
    if token.prefix is None:
        return False
    if token.prefix in rules.foreign_prefixes:
        return True
    return bool(vocabulary_prefixes) and token.prefix not in vocabulary_prefixes and token.prefix != "xml"


def _is_benign(token: str, section: str, rules: VerificationRules) -> str | None:
    for benign in rules.benign:
        if benign.token == token and (not benign.sections or section in benign.sections):
            return benign.reason
    return None


def _by_evidence(clause_file: ClauseFile, tokens: list[NameToken]) -> list[tuple[tuple[int, ...], list[NameToken], bool]]:
    """The file's tokens grouped by the pages that are their evidence: the clause's own pages for
    its text; those and the heading pages of the clauses it titles for the lines the tree wrote
    from the outline (specmill.verify.navigation). The flag marks the group of those lines."""
    if not tokens:
        return []
    if not clause_file.title_pages:
        return [(clause_file.pages, tokens, False)]
    spans = navigation_spans(clause_file.markdown)
    titles = [token for token in tokens if inside(token.start, spans)]
    if not titles:
        return [(clause_file.pages, tokens, False)]
    text = [token for token in tokens if not inside(token.start, spans)]
    wider = tuple(sorted(set(clause_file.pages) | set(clause_file.title_pages)))
    return ([(clause_file.pages, text, False)] if text else []) + [(wider, titles, True)]


def _finding(name: str, kind: TokenKind, occurrences: int, clause_file: ClauseFile, evidence: list[int], judgement: _Judgement, rules: VerificationRules) -> Finding:
    status, reason = judgement.status, judgement.reason
    benign = _is_benign(name, clause_file.section, rules)
    if benign is not None:
        status, reason = "benign", benign
    return Finding(
        token=name, suggestion=judgement.suggestion, kind=kind, section=clause_file.section, file=clause_file.path,
        occurrences=occurrences, evidence_pages=evidence, status=status, reason=reason, score=round(judgement.score, 1),  # type: ignore[arg-type]
        in_vocabulary=judgement.in_vocabulary, alternatives=list(judgement.alternatives),
    )


def _by_name(tokens: list[NameToken]) -> dict[tuple[str, TokenKind], list[NameToken]]:
    by_name: dict[tuple[str, TokenKind], list[NameToken]] = {}
    for token in tokens:
        by_name.setdefault((token.name, token.kind), []).append(token)
    return by_name


class _InPlace:
    """The place-by-place check over one verification run: the word sequences of the page sets
    of recent files (files come in document order, so neighbours share pages) and the words of
    the current file, both built only when a name needs them."""

    def __init__(self, page_sequence: PageSequence, index: NameIndex):
        self._page_sequence = page_sequence
        self._index = index
        self._printed: dict[tuple[int, ...], PrintedText] = {}
        self._markdown = ""
        self._text: TextWords | None = None
        self._outline: list[tuple[int, int]] = []

    def start(self, markdown: str) -> None:
        self._markdown, self._text = markdown, None

    def judge(self, name: str, tokens: list[NameToken], pages: tuple[int, ...]) -> _Judgement | None:
        if not self._index.has_near_name(name):
            return None
        if self._text is None:
            self._text, self._outline = TextWords(self._markdown), navigation_spans(self._markdown)
        own = [token for token in tokens if not inside(token.start, self._outline)]
        return _judge_in_place(name, own, self._text, self._printed_on(pages), self._index) if own else None

    def _printed_on(self, pages: tuple[int, ...]) -> PrintedText:
        if pages not in self._printed:
            if len(self._printed) >= 16:
                self._printed.clear()
            self._printed[pages] = PrintedText([self._page_sequence(page) for page in pages])
        return self._printed[pages]


def verify_files(
    files: Iterable[ClauseFile],
    vocabulary: Vocabulary,
    rules: VerificationRules,
    page_words: PageWords | None = None,
    *,
    known_prefixes: Iterable[str] = (),
    index: NameIndex | None = None,
    token_cache: NameTokenCache | None = None,
    page_sequence: PageSequence | None = None,
) -> tuple[list[Finding], VerificationFigures]:
    """Findings for every name token of every file; `page_words(page)` gives the PDF's words of a
    page (None: vocabulary check only), `page_sequence(page)` its words in reading order (None: no
    place-by-place check). Only the pages of sections with tokens are asked for. `index` and
    `token_cache` may be shared between calls over the same document."""
    started = time.perf_counter()
    index = index or NameIndex(vocabulary, rules)
    token_cache = token_cache if token_cache is not None else NameTokenCache()
    vocabulary_prefixes = vocabulary.prefixes()
    prefixes = frozenset(set(known_prefixes) | vocabulary_prefixes)
    findings: list[Finding] = []
    files_checked = tokens_checked = 0
    distinct: set[tuple[str, str]] = set()
    pages_asked: set[int] = set()
    in_place = _InPlace(page_sequence, index) if page_sequence is not None else None
    shortest = min(rules.min_token_length, _MIN_LENGTH_IN_PLACE) if in_place is not None else rules.min_token_length
    for clause_file in files:
        files_checked += 1
        tokens = [
            t for t in token_cache.tokens(clause_file.markdown, prefixes)
            if len(t.name) >= shortest and not _foreign(t, vocabulary_prefixes, rules)
        ]
        tokens_checked += len(tokens)
        if in_place is not None:
            in_place.start(clause_file.markdown)
        for pages, group, titles in _by_evidence(clause_file, tokens):
            words: Container[str] | None = None
            if page_words is not None and pages:
                words = _PrintedOnPages([page_words(page) for page in pages])
                pages_asked.update(pages)
            for (name, kind), same in _by_name(group).items():
                distinct.add((name, kind))
                judgement = _judge_tokens(name, kind, same, index, words) if len(name) >= rules.min_token_length else None
                # What passed the page-level checks, or only raised a suspicion (a word the pages
                # print somewhere, maybe in prose), is matched in place. The lines written from the
                # outline are judged against other clauses' pages, where their context is not printed.
                undecided = judgement is None or judgement.status == "suspect"
                if undecided and in_place is not None and words is not None and not titles:
                    judgement = in_place.judge(name, same, pages) or judgement
                if judgement is not None:
                    evidence = list(pages) if words is not None else []
                    findings.append(_finding(name, kind, len(same), clause_file, evidence, judgement, rules))
    figures = VerificationFigures(
        files_checked=files_checked, tokens_checked=tokens_checked, distinct_tokens=len(distinct),
        pages_extracted=len(pages_asked), seconds=round(time.perf_counter() - started, 3),
    )
    return findings, figures

