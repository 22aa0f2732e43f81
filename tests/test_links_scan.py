"""The fast scanning behind reference extraction gives exactly what the plain regexes give."""

import posixpath
import re

import pytest

from specmill.links.markdown import protected_spans
from specmill.links.resolve import relative_link
from specmill.links.scan import CaselessWords, finditer_at, literal_starts
from specmill.links.titles import TitleFinder
from specmill.links.verify import dangling_in, location_dependent_in, outside_path, tree_links

CUES = ["see also", "see", "described in"]
CUE_PATTERNS = [rf"(?<![\w]){re.escape(cue)}(?![\w])" for cue in CUES]
TITLES = sorted(
    {"Physical Package", "Physical Package Model", "Package", "Run Properties", "Run", "Drawing-ML Objects", "Objects (general)", "Glossary"},
    key=len,
    reverse=True,
)
TEXTS = [
    "As described in Physical Package Model, and see Physical Package.",
    "See  Physical\n Package, SEE Run Properties; see Runs (not a title) and see Run.",
    "see Drawing-ML Objects-like text, see Drawing-ML Objects.",
    "see Objects (general) and see also Glossary and xsee Glossary and see-Glossary.",
    "ſee Glossary: a long s matches 's' case-insensitively; İ is a capital I with a dot.",
    "see Package\tModel, see\tPackage",
]


def spans(matches) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


@pytest.mark.parametrize("text", TEXTS)
def test_the_title_finder_matches_exactly_what_its_single_pattern_matches(text: str):
    finder = TitleFinder(CUES, CUE_PATTERNS, TITLES)
    expected = [(m.start(), m.start("title"), m.end("title")) for m in finder.pattern.finditer(text)]
    assert list(finder.finditer(text)) == expected
    assert expected  # every sample text holds at least one title reference


def test_a_title_with_a_tab_or_a_double_space_falls_back_to_the_pattern():
    titles = ["Run  Properties", "Tab\tStops"]
    finder = TitleFinder(CUES, CUE_PATTERNS, titles)
    text = "see Run   Properties, see Run Properties and see Tab\tStops."
    expected = [(m.start(), m.start("title"), m.end("title")) for m in finder.pattern.finditer(text)]
    assert list(finder.finditer(text)) == expected == [(0, 4, 20), (45, 49, 58)]


def test_caseless_words_find_every_place_re_would_match_or_refuse():
    words = CaselessWords(["Section", "sections", "clause"])
    pattern = re.compile(r"(?<![\w-])(?i:sections|section|clause)\s*\d")
    text = "SECTION 1, Sections 2 and 3, subsection 4, Clause 5, CLAUSE 6"
    starts = words.starts(text)
    assert starts is not None
    assert spans(finditer_at(pattern, text, starts)) == spans(pattern.finditer(text))
    assert len(spans(pattern.finditer(text))) == 4
    # 'ſ' is 's' to re but not to str.lower: no shortcut, the caller scans the whole text.
    assert words.starts("ſection 7") is None
    assert pattern.match("ſection 7") is not None
    assert words.starts("İ clause 8") is None  # lowercasing changes the length


def test_finditer_at_skips_matches_overlapping_an_earlier_one():
    pattern = re.compile(r"`+[^`]*`+")
    text = "a `b` c ``d`` e `f"
    starts = literal_starts(text, "`")
    assert spans(finditer_at(pattern, text, starts)) == spans(pattern.finditer(text)) == [(2, 5), (8, 13)]


def test_protected_spans_cover_code_links_toc_lines_and_running_lines():
    text = (
        "# 1 Heading 1.2.3\n"
        "Text `code 4.5.6` and [link 7.8.9](a.md).\n"
        "Contents . . . . . . 12\n"
        "Running Header Line\n"
        "```\nunclosed 1.2.3\n"
    )
    protected = protected_spans(text, running_lines=frozenset({"Running Header Line"}))

    def is_protected(fragment: str) -> bool:
        start = text.index(fragment)
        return any(s <= start and start + len(fragment) <= e for s, e in protected)

    fragments = ["# 1 Heading 1.2.3", "`code 4.5.6`", "[link 7.8.9](a.md)", "Contents . . . . . . 12", "Running Header Line", "unclosed 1.2.3"]
    assert all(is_protected(fragment) for fragment in fragments)
    assert not is_protected("Text ")


@pytest.mark.parametrize("target", ["a.md", "x/a.md", "x/y/b.md", "x/q/d.md", "index.md", "./e.md", "x//y/f.md", "../up.md"])
@pytest.mark.parametrize("source", ["index.md", "x/a.md", "x/y/z/c.md", "w/x/y/b.md", "./x/y/c.md"])
def test_relative_link_is_posix_relpath(target: str, source: str):
    assert relative_link(target, source) == posixpath.relpath(target, posixpath.dirname(source) or ".")


def test_relative_links_dangle_when_missing_or_climbing_out_and_a_changed_tree_is_read_again():
    files = {
        "index.md": b"[a](a/x.md) [web](https://example.org) [top](#top) [img](a/pic.png)\n",
        "a/x.md": b"[up](../index.md)\n[abs](/etc/passwd) [out](../../y.md)\n`[code](gone.md)`\n[gone](missing.md)\n",
        "a/pic.png": b"\x89PNG",
    }
    reasons = {(d.file, d.line, d.target): d.reason for d in dangling_in(tree_links(files))}
    # An absolute path is no relative link: the copy check judges it (below).
    assert reasons == {
        ("a/x.md", 2, "../../y.md"): "points outside the tree",
        ("a/x.md", 4, "missing.md"): "no such file",
    }
    fixed = {**files, "a/x.md": b"[up](../index.md)\n"}
    assert dangling_in(tree_links(fixed)) == []
    assert len(dangling_in(tree_links(files))) == 2  # the same tree again: the same answer


def test_links_that_depend_on_where_the_tree_sits():
    files = {
        "index.md": b"[a](a/x.md) [web](https://example.org) [mail](mailto:a@b.org) [top](#top)\n",
        "a/x.md": (
            b"[up](../index.md) [gone](missing.md)\n"
            b"[abs](/etc/passwd) [url](file:///tmp/x.md) [drive](C:/out/blocks.json) [share](//host/share/x.md)\n"
            b"[out](../../blocks.json) [beside](../../out/tree.json)\n"
        ),
    }
    reasons = {d.target: d.reason for d in location_dependent_in(tree_links(files))}
    assert reasons == {
        "/etc/passwd": "absolute path",
        "file:///tmp/x.md": "file: URL",
        "C:/out/blocks.json": "absolute path (drive letter)",
        "//host/share/x.md": "network path",
        "../../blocks.json": "climbs out of the tree",
        "../../out/tree.json": "climbs out of the tree",
    }
    # A missing file inside the tree is the same wherever the tree is: not this question.
    assert "missing.md" not in reasons


def test_the_path_a_climbing_link_reaches_beside_the_tree():
    links = location_dependent_in(tree_links({
        "index.md": b"[out](../blocks.json)\n", "a/b/x.md": b"[out](../../../plan.json) [far](../../../../etc/x)\n",
    }))
    assert {link.target: outside_path(link) for link in links} == {
        "../blocks.json": "blocks.json", "../../../plan.json": "plan.json", "../../../../etc/x": None,
    }
