"""Resolution and rewriting: ids to relative paths, empty clauses to their index, reasons for the rest,
and a linked tree without a dangling link, even after it is copied elsewhere."""

import shutil
from pathlib import Path

from schemas.links import LinkReport, Reference
from schemas.tree import ClauseTreeReport, EmptyClause, MatchedClause, SegmentationReport, TreeFile
from specmill.links.extract import extract_references
from specmill.links.graph import cited_documents
from specmill.links.link import EXAMPLE_LINKS_LEAD, link_tree, running_lines
from specmill.links.resolve import ClauseDirectory, relative_link, resolve_reference
from specmill.links.verify import dangling_links
from specmill.tree.write import write_tree

# A small written tree: clause 1 (barrel) with 1.1 and 1.2 (leaves) and 1.3 (empty); clause 2
# (leaf); Annex A (barrel) with A.1; two clauses both titled "Overview".
TREE = {
    "index.md": "# Doc\n\n## Contents\n\n- [1 General](1-general/1-0-index.md)\n- [2 Runs](2-runs.md)\n",
    "1-general/1-0-index.md": "# 1 General\n\nUp: [Doc](../index.md)\n\nSee §2 and Annex A.\n\n## Contents\n\n- [1.1 Overview](1-1-overview.md)\n- 1.3 Unused *(no content)*\n",
    "1-general/1-1-overview.md": "# 1.1 Overview\n\nUp: [1 General](1-0-index.md)\n\nRuns (§2) use §1.3; see A.1 and §§ 1–2; details in 9.9.9.\n",
    "1-general/1-2-scope.md": "# 1.2 Scope\n\nThe clause §7.7 does not exist; §5.2 of [RFC3986] is elsewhere; see Overview.\n",
    "2-runs.md": "# 2 Runs\n\nAs said in 1.1, and in §1.2.4 (deeper than the outline), see Package Scope.\n\n```\n§1.1 in code\n```\n",
    "annex-a/annex-a-0-index.md": "# Annex A Schema\n\nThe schema; see 1.2.\n",
    "annex-a/a-1-overview.md": "# A.1 Overview\n\nText with version 1.2 and 3.5 mm.\n",
    "_images/abc.png": "not markdown",
}
CLAUSES = [
    ("1", "General", "1-general/1-0-index.md", "barrel"),
    ("1.1", "Overview", "1-general/1-1-overview.md", "leaf"),
    ("1.2", "Package Scope", "1-general/1-2-scope.md", "leaf"),
    ("2", "Runs", "2-runs.md", "leaf"),
    ("Annex A", "Schema", "annex-a/annex-a-0-index.md", "barrel"),
    ("A.1", "Overview", "annex-a/a-1-overview.md", "leaf"),
]


def tree_report() -> ClauseTreeReport:
    files = [TreeFile(path="index.md", kind="root", section=None, bytes=1)]
    files += [TreeFile(path=path, kind=kind, section=cid, clause_id=cid, bytes=1) for cid, _, path, kind in CLAUSES]
    matched = [MatchedClause(key=cid, clause_id=cid, title=title, outline_page=0, heading_page=0) for cid, title, _, _ in CLAUSES]
    matched.append(MatchedClause(key="1.3", clause_id="1.3", title="Unused", outline_page=0, heading_page=0))
    return ClauseTreeReport(
        files=files,
        empty_clauses=[EmptyClause(section="1.3", clause_id="1.3", title="Unused", listed_in="1-general/1-0-index.md")],
        barrels=2, leaves=4, bytes=len(files),
        segmentation=SegmentationReport(
            clauses_total=7, matched=matched, missed=[], out_of_order=[], blocks_in=0, blocks_assigned=0,
            front_matter_blocks=0, furniture_dropped={},
        ),
    )


def linked() -> tuple[dict[str, str], LinkReport]:
    files, report = link_tree({path: text.encode() for path, text in TREE.items()}, tree_report())
    return {path: data.decode() for path, data in files.items()}, report


def by_raw(report: LinkReport, source_file: str) -> dict[str, object]:
    return {r.raw_text: r for r in report.references if r.source_file == source_file}


def test_paths_are_relative_to_the_referring_file():
    assert relative_link("2-runs.md", "1-general/1-1-overview.md") == "../2-runs.md"
    assert relative_link("1-general/1-2-scope.md", "1-general/1-1-overview.md") == "1-2-scope.md"
    assert relative_link("annex-a/a-1-overview.md", "index.md") == "annex-a/a-1-overview.md"


def test_ids_resolve_to_the_clause_file_or_barrel():
    files, report = linked()
    refs = by_raw(report, "1-general/1-1-overview.md")
    assert refs["§2"].resolved_path == "../2-runs.md" and refs["§2"].target_id == "2"
    assert refs["see A.1"].resolved_path == "../annex-a/a-1-overview.md"
    assert by_raw(report, "1-general/1-0-index.md")["Annex A"].resolved_path == "../annex-a/annex-a-0-index.md"
    assert "Runs ([§2](../2-runs.md)) use" in files["1-general/1-1-overview.md"]
    assert "see [A.1](../annex-a/a-1-overview.md)" in files["1-general/1-1-overview.md"]


def test_an_empty_clause_resolves_to_the_index_that_lists_it():
    _, report = linked()
    reference = by_raw(report, "1-general/1-1-overview.md")["§1.3"]
    assert reference.target_is_empty and reference.resolved_path == "1-0-index.md"


def test_a_range_is_expanded_and_both_ends_linked():
    files, report = linked()
    reference = by_raw(report, "1-general/1-1-overview.md")["§§ 1–2"]
    assert reference.target_ids == ["1", "2"]
    assert "[§§ 1](1-0-index.md)–[2](../2-runs.md)" in files["1-general/1-1-overview.md"]


def test_unresolvable_references_keep_their_text_and_get_a_reason():
    files, report = linked()
    refs = by_raw(report, "1-general/1-2-scope.md")
    assert refs["§7.7"].unresolved_reason == "unknown_id" and refs["§7.7"].resolved_path is None
    assert refs["§5.2"].unresolved_reason == "outside_document"
    assert refs["see Overview"].unresolved_reason == "ambiguous"
    text = files["1-general/1-2-scope.md"]
    assert "The clause §7.7 does not exist; §5.2 of [RFC3986]" in text and "see Overview." in text


def test_tentative_numbers_that_name_no_clause_are_not_references():
    _, report = linked()
    raw = {r.raw_text for r in report.references}
    assert "in 9.9.9" not in raw and "9.9.9" not in raw
    assert not [r for r in report.references if r.source_file == "annex-a/a-1-overview.md"]


def test_a_deeper_id_than_the_outline_links_its_nearest_clause():
    _, report = linked()
    reference = by_raw(report, "2-runs.md")["§1.2.4"]
    assert reference.target_id == "1.2" and reference.resolved_path == "1-general/1-2-scope.md"
    assert "not in the outline" in reference.detail


def test_title_references_resolve_when_the_title_is_unique():
    _, report = linked()
    assert by_raw(report, "2-runs.md")["see Package Scope"].target_id == "1.2"


def test_code_is_left_untouched_and_other_files_copied():
    files, _ = linked()
    assert "```\n§1.1 in code\n```" in files["2-runs.md"]
    assert files["_images/abc.png"] == "not markdown"
    assert files["index.md"] == TREE["index.md"]


def test_figures_count_every_reference_and_exclude_other_documents_from_the_rate():
    _, report = linked()
    assert report.references_found == len(report.references) == report.resolved + report.unresolved
    assert report.unresolved_by_reason == {"ambiguous": 1, "outside_document": 1, "unknown_id": 1}
    inside = report.references_found - 1
    assert (report.references_internal, report.references_external) == (inside, 1)
    assert report.resolution_rate == round((inside - 2) / inside, 6)
    assert [(c.document, c.count) for c in report.cited_documents] == [("RFC 3986", 1)]
    assert by_raw(report, "1-general/1-2-scope.md")["§5.2"].cited_document == "RFC 3986"
    assert [r.raw_text for r in report.unresolved_internal] == ["§7.7", "see Overview"]
    assert report.most_cited[0].clause_id in {"1", "2", "1.2"}
    edge_weights = {(e.source, e.target): e.weight for e in report.graph.edges}
    assert edge_weights[("1.1", "2")] == 2  # '§2' and the end of '§§ 1–2'
    assert {n.clause_id for n in report.graph.nodes} >= {"1", "1.1", "1.3", "Annex A"}


def test_the_linked_tree_has_no_dangling_link_even_after_a_copy(tmp_path: Path):
    files, _ = linked()
    write_tree({path: text.encode() for path, text in files.items()}, tmp_path / "linked")
    assert dangling_links(tmp_path / "linked") == []
    shutil.copytree(tmp_path / "linked", tmp_path / "elsewhere" / "copy")
    assert dangling_links(tmp_path / "elsewhere" / "copy") == []


def test_dangling_links_are_found_on_disk(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text(
        "[ok](x.md) [gone](missing.md) [abs](/etc/passwd) [out](../../y.md) [web](https://example.org) [anchor](#top)\n"
        "```\n[in code](nowhere.md)\n```\n"
    )
    reasons = {d.target: d.reason for d in dangling_links(tmp_path)}
    assert reasons == {"missing.md": "no such file", "/etc/passwd": "absolute path", "../../y.md": "points outside the tree"}


def test_directory_lookup_treats_section_sign_ids_like_numbers():
    directory = ClauseDirectory.from_tree_report(tree_report())
    assert [e.clause_id for e in directory.find("§ 2")] == ["2"]
    assert directory.expand_range("1", "2") == ["1", "2"]
    found = extract_references("see §2")[0]
    reference = resolve_reference(found, source_file="index.md", source_section=None, directory=directory)
    assert reference.resolved_path == "2-runs.md"


def test_repeated_short_lines_are_running_text():
    texts = ["Spec Part 1 §17\n\nbody one.", "Spec Part 1 §17\n\nbody two.", "Spec Part 1 §17\n\nbody three."]
    assert running_lines(texts) == frozenset({"Spec Part 1 §17"})
    assert running_lines(texts[:2]) == frozenset()


def test_the_report_names_every_link_written_and_the_clause_its_text_names():
    files, report = linked()
    refs = by_raw(report, "1-general/1-1-overview.md")
    assert [(p.label, p.names, p.path) for p in refs["§§ 1–2"].links] == [("§§ 1", "1", "1-0-index.md"), ("2", "2", "../2-runs.md")]
    assert [(p.label, p.names) for p in refs["§1.3"].links] == [("§1.3", "1.3")]  # empty: the index that lists it
    assert [(p.names, p.path) for p in by_raw(report, "2-runs.md")["§1.2.4"].links] == [("1.2.4", "1-general/1-2-scope.md")]
    assert by_raw(report, "1-general/1-2-scope.md")["§5.2"].links == []  # nothing written for another document's clause
    assert sum(len(r.links) for r in report.references) == report.links_emitted


def test_spellings_of_one_cited_document_are_counted_together():
    def external(name):
        return Reference(
            source_section="1", source_file="a.md", line=1, raw_text="§1", form="section_sign", target_id="1", target_ids=["1"],
            unresolved_reason="outside_document", cited_document=name,
        )

    names = ["xmlenc-core", "xmlenccore", "xmlenc-core", None, "RFC 3986", "RFC 3986", "RFC 3986"]
    assert [(c.document, c.count) for c in cited_documents([external(name) for name in names])] == [
        ("RFC 3986", 3), ("xmlenc-core", 3), (None, 1),
    ]


def test_references_in_a_bibliography_name_the_documents_its_entries_describe():
    report = tree_report()
    bibliography = "1-general/1-4-normative-references.md"
    report.files.append(TreeFile(path=bibliography, kind="leaf", section="1.4", clause_id="1.4", bytes=1))
    report.segmentation.matched.append(
        MatchedClause(key="1.4", clause_id="1.4", title="Normative References", outline_page=0, heading_page=0)
    )
    entries = "# 1.4 Normative References\n\nRFC2256, A summary of the X500(96) User Schema, Section 2, December 1997.\n\nSemantic Versioning 2.0.0.\n"
    files, links = link_tree({**{path: text.encode() for path, text in TREE.items()}, bibliography: entries.encode()}, report)
    [entry] = [r for r in links.references if r.source_file == bibliography]  # the version number is no reference
    assert (entry.raw_text, entry.unresolved_reason, entry.resolved_path) == ("Section 2", "outside_document", None)
    assert "Section 2, December" in files[bibliography].decode()  # not linked to this document's clause 2


def test_a_reference_in_a_code_example_is_linked_once_after_the_text():
    """'§1.1 in code' stays as printed inside its fence, and the file ends with a line linking 1.1,
    so the PDF's link from the example survives; no line before it moves."""
    files, report = linked()
    text = files["2-runs.md"]
    assert "```\n§1.1 in code\n```" in text
    last_line = text.rstrip("\n").split("\n")[-1]
    assert last_line == f"{EXAMPLE_LINKS_LEAD} [§1.1](1-general/1-1-overview.md)"
    example = [r for r in report.references if r.source_file == "2-runs.md" and r.raw_text == "§1.1"]
    assert len(example) == 1 and example[0].line == text.rstrip("\n").count("\n") + 1
    assert [piece.names for piece in example[0].links] == ["1.1"]
    assert text.count("\n") == TREE["2-runs.md"].count("\n") + 2  # one blank line and the links line, at the end


def test_example_links_name_each_clause_once_and_skip_values_and_other_documents():
    tree = dict(TREE)
    tree["2-runs.md"] = (
        "# 2 Runs\n\n```json\n{ \"version\": \"1.2\",   # a run (§1.1)\n  \"see\": \"§1.1.\",  # §5.2 of [RFC3986]\n  \"x\": 1 }  # §2\n```\n"
    )
    files, report = link_tree({path: text.encode() for path, text in tree.items()}, tree_report())
    text = files["2-runs.md"].decode()
    assert text.count("](1-general/1-1-overview.md)") == 1
    assert "[§2](2-runs.md)" in text  # a self-reference is still the clause the example names
    assert "1.2" not in text.split("\n")[-2] and "5.2" not in text.split("\n")[-2]
    in_examples = [r for r in report.references if r.source_file == "2-runs.md"]
    assert sorted(r.raw_text for r in in_examples if r.links) == ["§1.1", "§2"]


def test_a_file_without_references_in_its_examples_gets_no_links_line():
    files, _ = linked()
    assert all(EXAMPLE_LINKS_LEAD not in text for path, text in files.items() if path != "2-runs.md")
