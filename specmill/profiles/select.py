"""The profile of one build: the one asked for (a shipped name or a YAML path), else the one
specmill.profiles.choose picks from the PDF's bookmarks and a sample of its pages. Chosen once a
process for a given PDF and profile file (every stage asks)."""

from functools import lru_cache
from pathlib import Path

from schemas.profile import AutomaticChoice, DocumentProfile, ProfileRecord, ProfileSelection
from specmill.errors import SourcePdfError
from specmill.profiles.choose import choose_profile
from specmill.profiles.shipped import load_profile, resolve_profile, shipped_profile, shipped_profile_path
from specmill.source.pdf import open_pdf

# Pages read for the language, spread over the document: a dozen pages of running text hold
# hundreds of function words, and the choice stays a few milliseconds at 5,000 pages.
SAMPLED_PAGES = 12


def select_profile(requested: str | None, pdf: Path) -> ProfileSelection:
    """The profile for `pdf`: `requested` when given (ProfileError when it names nothing usable),
    else the automatic choice."""
    if requested:
        path = resolve_profile(requested)
        profile = load_profile(path)
        return ProfileSelection(profile=profile, name=profile.name, path=str(path), automatic=False, reason="asked for")
    pdf = Path(pdf).resolve()
    if not pdf.is_file():
        # Every stage asks for the profile, and only source_pdf reads the PDF otherwise: say why it is needed.
        raise SourcePdfError(
            f"source PDF not found: {pdf}; without a profile asked for (--profile, SPECMILL_PROFILE) the profile is chosen from it"
        )
    stat = pdf.stat()
    choice = _choose_for(pdf, stat.st_mtime_ns, stat.st_size)
    if choice.profile is None:
        generic = _generic_default()
        return ProfileSelection(profile=generic, name=generic.name, path=None, automatic=True, reason=choice.reason)
    path = shipped_profile_path(choice.profile)
    return ProfileSelection(profile=load_profile(path), name=choice.profile, path=str(path), automatic=True, reason=choice.reason)


def recorded_profile(record: ProfileRecord) -> DocumentProfile:
    """The profile source_pdf chose from the document (profile.json), without the document."""
    return shipped_profile(record.name) if record.shipped else _generic_default()


@lru_cache(maxsize=1)
def _generic_default() -> DocumentProfile:
    return DocumentProfile()


@lru_cache(maxsize=16)
def _choose_for(pdf: Path, mtime_ns: int, size: int) -> AutomaticChoice:
    document = open_pdf(pdf)
    try:
        titles = [title for _level, title, _page in document.get_toc(simple=True)]
        count = document.page_count
        pages = sorted({round(i * (count - 1) / (SAMPLED_PAGES - 1)) for i in range(SAMPLED_PAGES)}) if count else []
        texts = [document[index].get_text("text") for index in pages]
    finally:
        document.close()
    return choose_profile(titles, texts)
