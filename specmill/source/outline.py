"""The clause outline of a PDF: cleaned bookmarks, the printed table of contents, or headings
found in the text layer.

Real outlines are polluted (Word's OLE_LINK/_Toc/DD…/Lib… bookmarks, logo file names); some
releases have none at all. Either way the result is a list of `OutlineEntry` in page order."""

import re
from collections import Counter
from collections.abc import Sequence

from schemas.outline import DroppedBookmark, Outline, OutlineEntry
from schemas.profile import OutlineRules
from specmill.clause_ids import ParsedHeading, longest_ascending, parent_id, parse_heading, sort_key
from specmill.source.linked_contents import outline_from_linked_contents
from specmill.source.printed_toc import outline_from_printed_toc
from specmill.profile_patterns import ProfilePattern, profile_pattern
from specmill.titles import compact


def _clean_title(title: str) -> str:
    return re.sub(r"\s+", " ", title.replace("\u00a0", " ")).strip()


def _junk_reason(title: str, junk_patterns: list[ProfilePattern]) -> str | None:
    if not title:
        return "empty title"
    for pattern in junk_patterns:
        if pattern.search(title):
            return f"authoring-tool bookmark ({pattern.pattern})"
    return None


def outline_from_bookmarks(document, rules: OutlineRules, labels: list[str]) -> Outline:
    """Clean the PDF's bookmarks into clause entries (possibly none)."""
    toc = document.get_toc(simple=False)
    junk_patterns = [profile_pattern("outline.junk_bookmark_patterns", p) for p in rules.junk_bookmark_patterns]
    dropped: list[DroppedBookmark] = []
    past_last_page: list[str] = []
    candidates: list[tuple[str, int | None, float | None, ParsedHeading | None]] = []
    for _level, raw_title, page_number, *destination in toc:
        title = _clean_title(raw_title)
        page = page_number - 1 if page_number >= 1 else None
        reason = _junk_reason(title, junk_patterns)
        if reason:
            dropped.append(DroppedBookmark(title=title, page=page, reason=reason))
            continue
        if page is not None and page >= document.page_count:
            past_last_page.append(title)
            dropped.append(DroppedBookmark(title=title, page=page, reason=f"points past the last page ({document.page_count})"))
            continue
        candidates.append((title, page, _destination_y(destination), parse_heading(title, rules.clause_id_patterns)))

    numbered_share = sum(1 for *_, heading in candidates if heading) / len(candidates) if candidates else 0.0
    entries: list[OutlineEntry] = []
    seen_ids: set[str] = set()
    for title, page, y, heading in candidates:
        if heading is None:
            if numbered_share > rules.numbered_majority:
                dropped.append(DroppedBookmark(title=title, page=page, reason="unnumbered entry in a numbered outline"))
                continue
            entries.append(OutlineEntry(clause_id=None, title=title, level=1, page=page, page_label=_label(labels, page), y=y))
            continue
        if heading.clause_id in seen_ids:
            dropped.append(DroppedBookmark(title=title, page=page, reason=f"duplicate of clause {heading.clause_id}"))
            continue
        seen_ids.add(heading.clause_id)
        entries.append(
            OutlineEntry(
                clause_id=heading.clause_id,
                title=heading.title,
                level=heading.level,
                page=page,
                page_label=_label(labels, page),
                label=heading.label,
                y=y,
            )
        )
    return Outline(
        entries=entries,
        source="bookmarks",
        bookmarks_total=len(toc),
        dropped=dropped,
        without_destination=[_display(e) for e in entries if e.page is None],
        past_last_page=past_last_page,
    )


def _destination_y(destination: list) -> float | None:
    """The vertical position a bookmark jumps to, when its destination names one."""
    target = destination[0].get("to") if destination and isinstance(destination[0], dict) else None
    return round(float(target.y), 1) if target is not None else None


def _label(labels: list[str], page: int | None) -> str | None:
    if page is None or not labels[page]:
        return None
    return labels[page]


def _display(entry: OutlineEntry) -> str:
    return f"{entry.clause_id} {entry.title}".strip() if entry.clause_id else entry.title


def is_usable(outline: Outline) -> bool:
    """An outline is usable for planning when at least one numbered clause has a destination."""
    return any(entry.clause_id and entry.page is not None for entry in outline.entries)


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & 16) or "bold" in span["font"].lower()


def _body_font_size(document) -> float:
    sizes: Counter[float] = Counter()
    step = max(1, document.page_count // 60)
    for index in range(0, document.page_count, step):
        for block in document[index].get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    sizes[round(span["size"], 1)] += len(span["text"])
    return sizes.most_common(1)[0][0] if sizes else 10.0


def outline_from_text_layer(document, rules: OutlineRules, labels: list[str]) -> Outline:
    """Fallback: numbered lines set larger or bolder than body text, outside header/footer bands.

    When an id occurs more than once (a table-of-contents line, a repeated heading), the
    occurrence in the largest type wins, then the first; ids must then ascend in page order."""
    body_size = _body_font_size(document)
    found: dict[str, tuple[float, int, OutlineEntry, bool]] = {}
    for index in range(document.page_count):
        page = document[index]
        height = page.rect.height
        lines = [line for block in page.get_text("dict")["blocks"] for line in block.get("lines", [])]
        for position, line in enumerate(lines):
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            top, bottom = line["bbox"][1], line["bbox"][3]
            if bottom < height * rules.heading_band or top > height * (1 - rules.heading_band):
                continue
            size = max(s["size"] for s in spans)
            if size < body_size * 1.15 and not _is_bold(spans[0]):
                continue
            text = _clean_title("".join(s["text"] for s in line["spans"]))
            heading = parse_heading(text, rules.clause_id_patterns)
            if heading is None or len(text) > 160:
                continue
            title = heading.title
            if not title and position + 1 < len(lines):
                # "3.1" on one line, the term or title on the next.
                title = _clean_title("".join(s["text"] for s in lines[position + 1]["spans"]))
            entry = OutlineEntry(
                clause_id=heading.clause_id, title=title, level=heading.level, page=index, page_label=_label(labels, index),
                label=heading.label,
            )
            previous = found.get(heading.clause_id)
            if previous is None or size > previous[0]:
                found[heading.clause_id] = (size, index, entry, _is_bold(spans[0]))
    candidates = _in_their_levels_type(list(found.values()), body_size)
    ordered = [entry for _size, _page, entry, _bold in sorted(candidates, key=lambda item: (item[1], sort_key(item[2].clause_id)))]
    return Outline(entries=longest_ascending(ordered), source="text_layer", bookmarks_total=0)


def _in_their_levels_type(candidates: list[tuple[float, int, OutlineEntry, bool]], body_size: float) -> list[tuple[float, int, OutlineEntry, bool]]:
    """Candidates set in body-size bold are dropped from a level whose headings are mostly set
    larger than body text: there they are terms or list items ("3.1 markup configuration" in bold
    11 pt among ecma376-part3's 14 pt "7.1 Introduction"). Where the level's headings are body-size
    bold themselves (xacml40-core's 2.1.1), they stay."""
    larger = Counter(entry.level for size, _page, entry, _bold in candidates if size >= body_size * 1.15)
    total = Counter(entry.level for _size, _page, entry, _bold in candidates)
    return [
        candidate for candidate in candidates
        if candidate[0] >= body_size * 1.15 or larger[candidate[2].level] * 2 <= total[candidate[2].level]
    ]


def extract_outline(document, rules: OutlineRules, labels: list[str], texts: Sequence[str] | None = None) -> Outline:
    """Bookmarks when they are usable, with the parts only the printed contents list; else the
    printed table of contents (dot leaders and page numbers); else a contents list of links; else
    headings from the text layer (keeping the bookmark cleaning report so the user sees why a fallback was taken).
    `texts` are the page texts when the caller has them already."""
    from_bookmarks = outline_from_bookmarks(document, rules, labels)
    if texts is None:
        texts = [document[index].get_text("text") for index in range(document.page_count)]
    if not is_usable(from_bookmarks):
        from_bookmarks = _numbered_from_headings(from_bookmarks, texts, rules)
    if is_usable(from_bookmarks):
        # Contents are front matter: read only up to where the first bookmarked clause starts.
        first_clause = min(entry.page for entry in from_bookmarks.entries if entry.clause_id and entry.page is not None)
        printed = outline_from_printed_toc(texts, rules.clause_id_patterns, labels, before=first_clause)
        return _with_parts_only_printed(from_bookmarks, printed or [])
    printed = outline_from_printed_toc(texts, rules.clause_id_patterns, labels)
    linked = outline_from_linked_contents(document, texts, rules.clause_id_patterns, labels) if printed is None else None
    if printed is not None:
        fallback = Outline(entries=printed, source="printed_toc", bookmarks_total=0)
    elif linked is not None:
        fallback = Outline(entries=linked, source="linked_contents", bookmarks_total=0)
    else:
        fallback = outline_from_text_layer(document, rules, labels)
    return fallback.model_copy(
        update={"bookmarks_total": from_bookmarks.bookmarks_total, "dropped": from_bookmarks.dropped}
    )


def _top_level(clause_id: str) -> str:
    while (parent := parent_id(clause_id)) is not None:
        clause_id = parent
    return clause_id


def _with_parts_only_printed(outline: Outline, printed: list[OutlineEntry]) -> Outline:
    """The bookmark outline with every top-level part that only the printed contents lists, and
    its sub-clauses: a Word document whose appendices are not styled as headings has no bookmark
    for them (genericode: "Appendix A. Acknowledgments", "Appendix B" and B.1-B.7), and without
    an entry each appendix would be folded into the clause before it. Deeper entries missing
    under a bookmarked clause are left out: bookmarks often stop at a depth on purpose."""
    bookmarked = {entry.clause_id for entry in outline.entries if entry.clause_id}
    bookmarked_parts = {_top_level(clause_id) for clause_id in bookmarked}
    # A bookmark may carry the title without the number ("Introduction" for "1 Introduction"):
    # that part is bookmarked, and so are its sub-clauses.
    bookmarked_titles = {compact(entry.title) for entry in outline.entries if entry.clause_id is None}
    bookmarked_parts |= {entry.clause_id for entry in printed if entry.clause_id and compact(entry.title) in bookmarked_titles}
    missing = [
        entry.model_copy(update={"origin": "printed_toc"})
        for entry in printed
        if entry.clause_id and entry.page is not None and entry.clause_id not in bookmarked
        and _top_level(entry.clause_id) not in bookmarked_parts
    ]
    if not missing:
        return outline
    entries = list(outline.entries)
    for entry in missing:
        # After the last entry that starts on or before its page: the part continues the document there.
        position = next((i for i in range(len(entries), 0, -1) if (entries[i - 1].page or 0) <= entry.page), 0)
        entries.insert(position, entry)
    return outline.model_copy(update={"entries": entries})


def _numbered_from_headings(outline: Outline, texts: Sequence[str], rules: OutlineRules) -> Outline:
    """Bookmarks whose titles lack the numbers their printed headings carry ("Quoting" for the
    heading "3.1.2 Quoting": GNU Texinfo) take them from the heading on their destination page,
    a line (or two: a number alone on its line) that is a number and then the bookmark's title.
    Kept only when most bookmarks get one, so an unnumbered document stays as it is."""
    entries: list[OutlineEntry] = []
    taken: set[str] = set()
    for entry in outline.entries:
        heading = _printed_heading(texts[entry.page], entry.title, rules) if entry.clause_id is None and entry.page is not None else None
        if heading is not None and heading.clause_id not in taken:
            taken.add(heading.clause_id)
            entry = entry.model_copy(update={"clause_id": heading.clause_id, "level": heading.level, "label": heading.label})
        entries.append(entry)
    if len(taken) <= rules.numbered_majority * len(entries):
        return outline
    return outline.model_copy(update={"entries": entries})


def _printed_heading(page_text: str, title: str, rules: OutlineRules) -> ParsedHeading | None:
    wanted = compact(title)
    lines = [line.strip() for line in page_text.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        for candidate in (line, f"{line} {lines[index + 1]}" if index + 1 < len(lines) else None):
            heading = parse_heading(candidate, rules.clause_id_patterns) if candidate else None
            if heading is not None and heading.title and compact(heading.title) == wanted:
                return heading
    return None
