"""Printed page labels and the printed-page <-> PDF-index offset."""

import re
from collections import Counter
from collections.abc import Sequence

from schemas.outline import PageOffset

_FOOTER_NUMBER = re.compile(r"^(?:page\s+)?[-\u2013\u2014\s]*(\d{1,5})[-\u2013\u2014\s]*(?:of\s+\d+)?$", re.IGNORECASE)
# How many pages to sample for footer numbers: enough for a clear majority, cheap at 5,000 pages.
_FOOTER_SAMPLE_PAGES = 80
_BAND = 0.1


def _roman(number: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for value, numeral in numerals:
        count, number = divmod(number, value)
        out.append(numeral * count)
    return "".join(out)


def _letters(number: int) -> str:
    # PDF 32000-1 12.4.2: a..z, then aa..zz, ...
    return chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def _format_label(style: str, number: int) -> str:
    if style == "D":
        return str(number)
    if style in ("r", "R"):
        roman = _roman(number)
        return roman.upper() if style == "R" else roman
    if style in ("a", "A"):
        letters = _letters(number)
        return letters.upper() if style == "A" else letters
    return ""


def page_labels(document) -> list[str]:
    """The printed label of every page ('' where the PDF defines no labels).

    Computed from the label ranges in one pass: PyMuPDF's per-page get_label() re-reads the
    ranges each time, which made this 5 s on a 456-page statute book."""
    rules = sorted(document.get_page_labels(), key=lambda rule: rule["startpage"])
    labels = [""] * document.page_count
    for position, rule in enumerate(rules):
        start = rule["startpage"]
        end = rules[position + 1]["startpage"] if position + 1 < len(rules) else document.page_count
        first = rule.get("firstpagenum", 1) or 1
        for index in range(start, min(end, document.page_count)):
            labels[index] = rule.get("prefix", "") + _format_label(rule.get("style", ""), first + index - start)
    return labels


def _mode_offset(pairs: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Most common (index - printed) over the pairs, with its support."""
    if not pairs:
        return None
    offset, support = Counter(index - printed for index, printed in pairs).most_common(1)[0]
    return offset, support


def offset_from_labels(labels: list[str]) -> PageOffset | None:
    pairs = [(index, int(label)) for index, label in enumerate(labels) if label.isdigit()]
    found = _mode_offset(pairs)
    if found is None or found[1] < max(1, len(pairs) // 2):
        return None
    return PageOffset(offset=found[0], method="page_labels", evidence_pages=found[1])


def _footer_numbers(page) -> list[int]:
    """Standalone numbers printed in the top or bottom band of a page."""
    height = page.rect.height
    numbers = []
    for x0, y0, x1, y1, text, *_ in page.get_text("blocks"):
        if y0 > height * (1 - _BAND) or y1 < height * _BAND:
            for line in text.splitlines():
                match = _FOOTER_NUMBER.match(line.strip())
                if match:
                    numbers.append(int(match.group(1)))
    return numbers


def offset_from_running_footers(document) -> PageOffset | None:
    count = document.page_count
    step = max(1, count // _FOOTER_SAMPLE_PAGES)
    pairs = []
    sampled = 0
    for index in range(0, count, step):
        sampled += 1
        pairs.extend((index, number) for number in _footer_numbers(document[index]))
    found = _mode_offset(pairs)
    # A real running footer agrees on most sampled pages; a stray number in a margin does not.
    if found is None or found[1] < max(3, sampled // 3):
        return None
    return PageOffset(offset=found[0], method="running_footers", evidence_pages=found[1])


def calibrate_offset(document, labels: list[str]) -> PageOffset:
    return (
        offset_from_labels(labels)
        or offset_from_running_footers(document)
        or PageOffset(offset=None, method="none", evidence_pages=0)
    )


def page_texts(document) -> list[str]:
    """The text layer of every page, in page order: the one full extraction of the pipeline
    (textless pages are found in it, and name verification reads its evidence from it)."""
    return [document[index].get_text("text") for index in range(document.page_count)]


def textless_pages(texts: Sequence[str]) -> list[int]:
    """Pages whose text layer is empty (a scan, or an image-only page), given every page's text."""
    return [index for index, text in enumerate(texts) if not text.strip()]
