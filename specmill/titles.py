"""Comparing a heading's text with a clause title: the comparison form of a text, and whether a
heading holds a title whose bookmark lost a word or two."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
LOST_WORDS = 2  # words a bookmark title may lack: text the PDF set with a macro or a special font


def compact(text: str) -> str:
    """Comparison form: NFKC (ligatures), casefolded, letters and digits only (so that
    letter-spaced headings 'T i t l e' and punctuation differences do not matter)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def holds_title_words(heading_title: str, outline_title: str) -> bool:
    """The outline title's words all occur, in order, among the heading's, which has at most a
    couple more: a LaTeX bookmark drops what was set in small capitals or by a macro ("Using for
    math" for "Using MATHJAX for math", "2in1" for "Package 2in1"). Asked only once the clause
    number has matched."""
    wanted = [compact(word) for word in outline_title.split() if compact(word)]
    words = [compact(word) for word in heading_title.split() if compact(word)]
    if not wanted or len(words) - len(wanted) > LOST_WORDS or len(words) < len(wanted):
        return False
    position = 0
    for word in words:
        if position < len(wanted) and word == wanted[position]:
            position += 1
    return position == len(wanted)
