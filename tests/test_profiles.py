"""Document profiles: the shipped ones, one asked for by name or path, each loaded once, and the
automatic choice from a document's bookmarks and text when none is asked for."""

from pathlib import Path

import dagster as dg
import pytest

from assets.source import source_pdf
from resources.settings import SpecmillSettings
from resources.storage import LocalArtifactStore
from schemas.profile import DocumentProfile
from specmill.errors import ProfileError, SourcePdfError
from specmill.profiles.choose import GERMAN_STATUTE, choose_profile
from specmill.profiles.shipped import PROFILES_DIR, load_profile, resolve_profile, shipped_profile, shipped_profile_names
from specmill.source.describe import describe_source
from specmill_cli.main import EXIT_BAD_INPUT, main
from tests.pdf_factory import Line, PageSpec, make_pdf, numbered_document

GERMAN_PAGE = (
    "(1) Wer vorsätzlich oder fahrlässig das Leben, den Körper, die Gesundheit, die Freiheit, das Eigentum oder ein "
    "sonstiges Recht eines anderen widerrechtlich verletzt, ist dem anderen zum Ersatz des daraus entstehenden Schadens "
    "verpflichtet. (2) Die gleiche Verpflichtung trifft denjenigen, welcher gegen ein den Schutz eines anderen bezweckendes "
    "Gesetz verstößt. Ist nach dem Inhalt des Gesetzes ein Verstoß gegen dieses auch ohne Verschulden möglich, so tritt die "
    "Ersatzpflicht nur im Falle des Verschuldens ein."
)
ENGLISH_PAGE = (
    "The manifest file shall be stored in the package at the path given by this clause. It is an error for a package to "
    "contain more than one manifest, and a consumer that finds one of them shall use the first in the order of the entries."
)
STATUTE_BOOKMARKS = ["Bürgerliches Gesetzbuch (BGB)", "Buch 1 Allgemeiner Teil", "§ 1 Beginn der Rechtsfähigkeit",
                     "§ 2 Eintritt der Volljährigkeit", "§§ 3 bis 6 (weggefallen)", "§ 7 Wohnsitz; Begründung und Aufhebung"]
STANDARD_BOOKMARKS = ["1 Introduction", "1.1 Terminology", "2 Packages", "Annex A Schema"]


def test_a_german_statute_book_gets_the_german_statute_profile():
    choice = choose_profile(STATUTE_BOOKMARKS, [GERMAN_PAGE])
    assert choice.profile == GERMAN_STATUTE
    assert "4 of 6 bookmarks are '§ N'" in choice.reason and "German" in choice.reason


@pytest.mark.parametrize(
    ("bookmarks", "texts", "why"),
    [
        (STANDARD_BOOKMARKS, [ENGLISH_PAGE], "0 of 4 bookmarks"),
        (STANDARD_BOOKMARKS, [GERMAN_PAGE], "0 of 4 bookmarks"),  # a German standard numbered 1, 1.1: no statute
        ([], [GERMAN_PAGE], "0 of 0 bookmarks"),  # no outline: no evidence of a statute
        (STATUTE_BOOKMARKS, [ENGLISH_PAGE], "not German"),  # a code in English ('§ 101 Definitions')
        (STATUTE_BOOKMARKS, ["§ 1 Beginn"], "not German"),  # too few words to name a language
        (STATUTE_BOOKMARKS[:2] + STANDARD_BOOKMARKS + STATUTE_BOOKMARKS[2:4], [GERMAN_PAGE], "2 of 8 bookmarks"),
    ],
)
def test_anything_else_gets_the_generic_default(bookmarks, texts, why):
    choice = choose_profile(bookmarks, texts)
    assert choice.profile is None
    assert choice.reason.startswith("generic default") and why in choice.reason


def test_every_shipped_profile_is_a_valid_profile_named_after_its_file():
    assert GERMAN_STATUTE in shipped_profile_names()
    for name in shipped_profile_names():
        assert shipped_profile(name).name == name
    assert PROFILES_DIR.parent == Path(__file__).resolve().parent.parent


def test_the_german_statute_profile_is_the_generic_default_plus_the_statutes_own_words():
    generic, statute = DocumentProfile().model_dump(), shipped_profile(GERMAN_STATUTE).model_dump()
    changed = {(section, field) for section in generic if isinstance(generic[section], dict)
               for field in generic[section] if generic[section][field] != statute[section][field]}
    assert changed == {
        ("outline", "clause_id_patterns"), *(("links", field) for field in [
            "dotted_cues", "range_connectors", "list_connectors", "external_after", "subdivision_words",
            "external_before", "bibliography_titles", "title_cues"]),
    }
    for section, field in changed:  # every generic entry kept, in its order: only the statute's are added
        added = iter(statute[section][field])
        assert all(entry in added for entry in generic[section][field]), (section, field)


def test_the_generic_default_knows_no_german_statute():
    text = DocumentProfile().model_dump_json()
    for word in ["und", "oder", "bis", "Absatz", "Abs.", "Satz", "siehe", "Artikel", "BGB", "Gesetzbuch", "Literaturverzeichnis"]:
        assert f'"{word}"' not in text and f"{word}\\\\s" not in text and f"!{word}" not in text, word


def test_a_profile_is_asked_for_by_its_shipped_name_or_by_a_path(tmp_path: Path):
    assert resolve_profile(GERMAN_STATUTE) == PROFILES_DIR / "german-statute.yaml"
    own = tmp_path / "mine.yaml"
    own.write_text("name: mine\n")
    assert resolve_profile(str(own)) == own.resolve()
    with pytest.raises(ProfileError, match=r"unknown profile 'german-statue'.*german-statute"):
        resolve_profile("german-statue")
    with pytest.raises(ProfileError, match="not found: .*missing.yaml"):
        resolve_profile(str(tmp_path / "missing.yaml"))


def test_a_profile_is_read_once_until_its_file_changes(tmp_path: Path):
    path = tmp_path / "profile.yaml"
    path.write_text("name: first\n")
    first = load_profile(path)
    assert load_profile(path) is first
    path.write_text("name: second one\n")
    assert load_profile(path).name == "second one"
    path.write_text("plan:\n  target_pages: 500\n  max_pages: 200\n")
    with pytest.raises(ProfileError, match="(?s)is invalid: .*exceeds max_pages"):
        load_profile(path)


def test_an_unknown_profile_name_is_bad_usage_naming_the_shipped_ones(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    assert main(["build", str(pdf), "--out", str(tmp_path / "out"), "--profile", "germn-statute"]) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert "unknown profile 'germn-statute'" in error and "german-statute" in error
    assert not (tmp_path / "out").exists()


def _statute_pdf(path: Path) -> Path:
    headings = ["§ 1 Beginn der Rechtsfähigkeit", "§ 2 Eintritt der Volljährigkeit", "§ 3 Wohnsitz"]
    pages = [PageSpec(lines=[Line(heading, size=12, bold=True), *(Line(GERMAN_PAGE[i : i + 90]) for i in range(0, len(GERMAN_PAGE), 90))])
             for heading in headings]
    return make_pdf(path, pages, toc=[[1, heading, index + 1] for index, heading in enumerate(headings)])


def test_source_pdf_reads_a_statute_with_the_profile_it_chose_and_says_so(tmp_path: Path):
    pdf = _statute_pdf(tmp_path / "statute.pdf")
    settings = SpecmillSettings(pdf_path=str(pdf))
    selection = settings.profile_selection()
    assert (selection.name, selection.automatic) == (GERMAN_STATUTE, True)
    assert [e.clause_id for e in describe_source(pdf, selection.profile).outline.entries] == ["§ 1", "§ 2", "§ 3"]
    assert describe_source(pdf, DocumentProfile()).outline.entries == []  # what the generic default would have read

    result = dg.materialize([source_pdf], resources={"settings": settings, "store": LocalArtifactStore(root=str(tmp_path / "out"))})
    metadata = result.asset_materializations_for_node("source_pdf")[0].metadata
    assert metadata["profile"].value == GERMAN_STATUTE and metadata["profile_automatic"].value is True
    assert "3 of 3 bookmarks are '§ N'" in metadata["profile_reason"].value


def test_a_profile_asked_for_wins_over_the_automatic_choice(tmp_path: Path):
    pdf = _statute_pdf(tmp_path / "statute.pdf")
    own = tmp_path / "plain.yaml"
    own.write_text("name: plain\n")
    selection = SpecmillSettings(pdf_path=str(pdf), profile_path=str(own)).profile_selection()
    assert (selection.name, selection.automatic, selection.path) == ("plain", False, str(own.resolve()))
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        SpecmillSettings(pdf_path=str(pdf), profile_path="nope").profile()


def test_without_a_profile_asked_for_a_missing_pdf_is_named_as_what_the_choice_needs(tmp_path: Path):
    with pytest.raises(SourcePdfError, match=r"source PDF not found: .*gone.pdf.*chosen from it"):
        SpecmillSettings(pdf_path=str(tmp_path / "gone.pdf")).profile()


def test_the_profile_option_names_every_shipped_profile():
    from specmill_cli.main import _parser

    build = _parser()._subparsers._group_actions[0].choices["build"]
    help_text = next(action.help for action in build._actions if action.dest == "profile")
    assert all(name in help_text for name in shipped_profile_names())


def test_later_stages_take_the_choice_source_pdf_recorded_and_never_open_the_pdf(tmp_path):
    """profile.json, written by source_pdf, is what a later stage's profile comes from when none
    was asked for: the PDF may be gone. A profile asked for is read as it is, whatever was recorded."""
    from resources.settings import SpecmillSettings
    from resources.storage import LocalArtifactStore
    from schemas.artifacts import PROFILE
    from schemas.profile import DocumentProfile, ProfileRecord

    store = LocalArtifactStore(root=str(tmp_path))
    store.write_model(PROFILE, ProfileRecord(name="german-statute", automatic=True, reason="test", shipped=True))
    missing_pdf = str(tmp_path / "gone.pdf")
    german = SpecmillSettings(pdf_path=missing_pdf).stage_profile(store)
    assert "und" in german.links.list_connectors and "und" not in DocumentProfile().links.list_connectors

    store.write_model(PROFILE, ProfileRecord(name="default", automatic=True, reason="test", shipped=False))
    assert SpecmillSettings(pdf_path=missing_pdf).stage_profile(store) == DocumentProfile()
    asked = SpecmillSettings(pdf_path=missing_pdf, profile_path="german-statute").stage_profile(store)
    assert "und" in asked.links.list_connectors
