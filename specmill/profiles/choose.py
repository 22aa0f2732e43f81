"""The profile a document gets when none is asked for, from evidence read before the plan: its
bookmark titles and the words of its text layer. Pure: no PDF is opened here.

One rule, simple enough to explain in a log line: a German statute book is a PDF whose bookmarks
are mostly '§ N' and whose text is German. Everything else gets the generic default, which
knows no document. A rule belongs here only for a profile that a document of the corpus needs
to keep its corpus (bgb-2024 needs german-statute for its '§ 823' clause ids)."""

import re
from collections.abc import Sequence

from schemas.profile import AutomaticChoice

GERMAN_STATUTE = "german-statute"

_SECTION_SIGN_TITLE = re.compile(r"^\s*§§?\s*\d")
_WORD = re.compile(r"[^\W\d_]+")
# The commonest function words of each language: one page of running text holds dozens of them,
# and the two sets share none, so their counts tell the languages apart without a model.
_GERMAN_WORDS = frozenset("der die das und des den dem nicht ist wird oder ein eine einer von zu mit auf für sich".split())
_ENGLISH_WORDS = frozenset("the of and to in is be for that with as by this or an are not on".split())

# More than half of the bookmarks: a statute's outline also files its books, parts and titles
# ('Buch 1 Allgemeiner Teil', 'Titel 2'), about an eighth of bgb-2024's 3,220 bookmarks.
SECTION_SIGN_SHARE = 0.5
# Fewer function words than this in the sampled text is too little to name a language.
MIN_LANGUAGE_WORDS = 20


def choose_profile(bookmark_titles: Sequence[str], page_texts: Sequence[str]) -> AutomaticChoice:
    """The shipped profile the evidence calls for (None: the generic default), and why."""
    statute = sum(1 for title in bookmark_titles if _SECTION_SIGN_TITLE.match(title))
    german, english = _function_words(page_texts)
    outline = f"{statute} of {len(bookmark_titles)} bookmarks are '§ N'"
    language = f"{german} German and {english} English function words in the sampled text"
    if not bookmark_titles or statute <= SECTION_SIGN_SHARE * len(bookmark_titles):
        return AutomaticChoice(profile=None, reason=f"generic default: {outline}")
    if german < MIN_LANGUAGE_WORDS or german <= english:
        return AutomaticChoice(profile=None, reason=f"generic default: {outline}, but the text is not German ({language})")
    return AutomaticChoice(profile=GERMAN_STATUTE, reason=f"{GERMAN_STATUTE}: {outline} and the text is German ({language})")


def _function_words(page_texts: Sequence[str]) -> tuple[int, int]:
    german = english = 0
    for text in page_texts:
        for word in _WORD.findall(text.lower()):
            german += word in _GERMAN_WORDS
            english += word in _ENGLISH_WORDS
    return german, english
