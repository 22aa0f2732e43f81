"""Regexes from a document profile: checked when the profile loads, bounded when they match."""

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pydantic
import pytest

from schemas.profile import DocumentProfile, OutlineRules
from specmill.profile_patterns import PatternTimeoutError, profile_pattern
from specmill_cli.main import EXIT_BAD_INPUT, main
from tests.pdf_factory import numbered_document

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = r"(a|aa)+$"  # exponential even for the `regex` module, which defuses (a+)+$ by itself
HOSTILE_BOOKMARK = "a" * 34 + "!"


@pytest.mark.parametrize(
    ("profile", "key", "message"),
    [
        ({"outline": {"junk_bookmark_patterns": ["^_Toc(\\d+"]}}, "outline.junk_bookmark_patterns.0", "invalid regex"),
        ({"outline": {"clause_id_patterns": [{"regex": "\\d+(?:\\.\\d+)*"}]}},
         "outline.clause_id_patterns.0.regex", "no group named 'id'"),
        ({"outline": {"clause_id_patterns": [{"regex": "(?P<id>\\d+)", "template": "Clause {num}"}]}},
         "outline.clause_id_patterns.0.template", "unknown field(s) ['num']"),
        ({"outline": {"clause_id_patterns": [{"regex": "(?P<id>\\d+)", "template": "Clause {id"}]}},
         "outline.clause_id_patterns.0.template", "invalid template"),
        ({"links": {"extra_patterns": [{"regex": "Art\\. \\d+"}]}}, "links.extra_patterns.0.regex", "no group named 'id'"),
        ({"links": {"external_after": ["of (?P<doc>RFC \\d+"]}}, "links.external_after.0", "invalid regex"),
        ({"links": {"external_before": ["[unclosed"]}}, "links.external_before.0", "invalid regex"),
        ({"verification": {"overlays": [{"section": "1", "find": "a(b", "replace": "x", "regex": True}]}},
         "verification.overlays.0", "invalid regex"),
    ],
)
def test_a_broken_profile_regex_or_template_is_a_validation_error_naming_its_key(profile, key, message):
    with pytest.raises(pydantic.ValidationError) as raised:
        DocumentProfile.model_validate(profile)
    assert key in str(raised.value) and message in str(raised.value)


def test_a_literal_overlay_is_not_read_as_a_regex():
    profile = DocumentProfile.model_validate({"verification": {"overlays": [{"section": "1", "find": "a(b", "replace": "x"}]}})
    assert profile.verification.overlays[0].find == "a(b"


def test_the_shipped_patterns_load_unchanged():
    assert DocumentProfile.model_validate(DocumentProfile().model_dump()) == DocumentProfile()


def test_a_runaway_profile_regex_stops_with_an_error_naming_its_key_and_pattern():
    pattern = profile_pattern("outline.junk_bookmark_patterns", RUNAWAY)
    started = time.perf_counter()
    with pytest.raises(PatternTimeoutError) as raised:
        pattern.search(HOSTILE_BOOKMARK)
    assert time.perf_counter() - started < 10
    assert "outline.junk_bookmark_patterns" in str(raised.value) and repr(RUNAWAY) in str(raised.value)


def test_a_nested_quantifier_junk_pattern_no_longer_hangs_the_outline(tmp_path: Path):
    """The issue's case, `(a+)+$` against a bookmark of 34 a's and '!': with `re` this takes
    2**34 steps. Run in a child process, so a regression fails the test instead of hanging it."""
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1, junk=[HOSTILE_BOOKMARK])
    script = textwrap.dedent(f"""
        import pymupdf
        from schemas.profile import OutlineRules
        from specmill.source.outline import outline_from_bookmarks
        rules = OutlineRules(junk_bookmark_patterns=[r"(a+)+$"])
        outline = outline_from_bookmarks(pymupdf.open({str(pdf)!r}), rules, [''])
        print([entry.clause_id for entry in outline.entries])
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "'1'" in done.stdout  # the outline was cleaned, clause 1 found


def test_outline_cleaning_with_a_runaway_junk_pattern_is_a_profile_error(tmp_path: Path):
    import pymupdf

    from specmill.errors import ProfileError
    from specmill.source.outline import outline_from_bookmarks

    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1, junk=[HOSTILE_BOOKMARK])
    with pymupdf.open(pdf) as document, pytest.raises(ProfileError, match="outline.junk_bookmark_patterns"):
        outline_from_bookmarks(document, OutlineRules(junk_bookmark_patterns=[RUNAWAY]), [""])


def test_build_with_a_profile_regex_missing_its_id_group_exits_2_naming_the_key(tmp_path: Path, capsys):
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1)
    profile = tmp_path / "profile.yaml"
    profile.write_text('outline:\n  clause_id_patterns:\n    - regex: "\\\\d+(?:\\\\.\\\\d+)*"\n')
    assert main(["build", str(pdf), "--out", str(tmp_path / "out"), "--profile", str(profile)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "outline.clause_id_patterns.0.regex" in err and "no group named 'id'" in err


def test_build_stopped_by_a_runaway_profile_regex_exits_2_naming_the_key(tmp_path: Path, capsys):
    """The pattern compiles, so the profile loads; it runs away only on this document's bookmark,
    inside the plan stage. The profile is at fault: bad input, exit 2, not a failed build."""
    pdf = numbered_document(tmp_path / "doc.pdf", [("1 Scope", 0)], 1, junk=[HOSTILE_BOOKMARK])
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"outline:\n  junk_bookmark_patterns:\n    - '{RUNAWAY}'\n")
    out = tmp_path / "out"
    assert main(["build", str(pdf), "--out", str(out), "--profile", str(profile), "--stop-after", "plan"]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "outline.junk_bookmark_patterns" in captured.out + captured.err
