"""Links that land on the wrong clause: every link written for a reference, as stored in the linked
tree, must lead to the file of the clause the reference names (its own file, the index listing it
when it is empty, its nearest outlined ancestor when it is deeper than the outline)."""

from schemas.links import LinkPiece
from specmill.links.verify import ClauseFiles, misdirected_links, tree_links
from tests.test_links_resolve import linked, tree_report


def misdirected(files: dict[str, str], report) -> list[tuple[str, str, str | None]]:
    stored = tree_links({path: text.encode() for path, text in files.items()})
    return [(m.label, m.names, m.lands_on) for m in misdirected_links(stored, report, ClauseFiles.from_tree_report(tree_report()))]


def test_the_linker_writes_no_misdirected_link():
    # Ranges, an empty clause (its index), a deeper id (its ancestor), titles, annexes: all land right.
    files, report = linked()
    assert misdirected(files, report) == []


def test_a_link_rewritten_to_another_existing_clause_is_found():
    files, report = linked()
    text = files["1-general/1-1-overview.md"]
    files["1-general/1-1-overview.md"] = text.replace("[2](../2-runs.md)", "[2](1-2-scope.md)")  # the far end of '§§ 1–2'
    assert misdirected(files, report) == [("2", "2", "1.2")]


def test_a_link_to_a_file_of_no_clause_is_found():
    files, report = linked()
    files["2-runs.md"] = files["2-runs.md"].replace("[§1.2.4](1-general/1-2-scope.md)", "[§1.2.4](index.md)")
    assert misdirected(files, report) == [("§1.2.4", "1.2.4", None)]


def test_a_title_reference_must_land_on_the_clause_so_titled():
    files, report = linked()
    assert "[Package Scope](1-general/1-2-scope.md)" in files["2-runs.md"]
    files["2-runs.md"] = files["2-runs.md"].replace("[Package Scope](1-general/1-2-scope.md)", "[Package Scope](1-general/1-1-overview.md)")
    assert misdirected(files, report) == [("Package Scope", "title:package scope", "1.1")]


def test_a_resolver_that_names_the_wrong_clause_is_found():
    # The report and the tree agree with each other, but the link for '§2' leads to clause 1.1.
    files, report = linked()
    for reference in report.references:
        if reference.source_file == "1-general/1-1-overview.md" and reference.raw_text == "§2":
            reference.links = [LinkPiece(label="§2", names="2", path="1-1-overview.md")]
    files["1-general/1-1-overview.md"] = files["1-general/1-1-overview.md"].replace("[§2](../2-runs.md)", "[§2](1-1-overview.md)")
    assert misdirected(files, report) == [("§2", "2", "1.1")]


def test_a_link_the_report_records_but_the_tree_lacks_is_found():
    files, report = linked()
    files["1-general/1-0-index.md"] = files["1-general/1-0-index.md"].replace("[Annex A](../annex-a/annex-a-0-index.md)", "Annex A")
    assert misdirected(files, report) == [("Annex A", "Annex A", None)]


def test_links_leaving_the_tree_are_left_to_the_other_checks():
    files, report = linked()
    files["1-general/1-1-overview.md"] = files["1-general/1-1-overview.md"].replace("[§2](../2-runs.md)", "[§2](/abs/2-runs.md)")
    assert misdirected(files, report) == []
