"""The generated sample specification: page count, outline, labels, references, schema, determinism."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from lxml import etree

from schemas.sample import SampleGroundTruth
from specmill.sample import InvalidSampleRequest, generate_sample
from specmill.sample.__main__ import main as sample_cli
from specmill.sample.content import Prose
from specmill.sample.generator import build_sample
from specmill.sample.vocabulary import NAMESPACE, build_vocabulary, vocabulary_size
from specmill.sample.xsd import render_xsd

pymupdf = pytest.importorskip("pymupdf")

XSD_NS = "{http://www.w3.org/2001/XMLSchema}"


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class Sample:
    def __init__(self, out_dir: Path, pages: int, seed: int = 0) -> None:
        self.document = generate_sample(out_dir, pages=pages, seed=seed)
        self.pdf = pymupdf.open(self.document.pdf_path)
        self.truth = SampleGroundTruth.model_validate_json(Path(self.document.ground_truth_path).read_text())
        self._text: dict[int, str] = {}

    def text(self, page: int) -> str:
        if page not in self._text:
            self._text[page] = self.pdf[page].get_text()
        return self._text[page]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return Sample(tmp_path_factory.mktemp("sample10"), pages=10)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return Sample(tmp_path_factory.mktemp("sample200"), pages=200, seed=7)


# ----- pages, outline, labels ------------------------------------------------------------------


def test_ten_page_sample_has_exactly_ten_pages_and_writes_three_files(small: Sample) -> None:
    assert small.pdf.page_count == 10
    assert small.document.page_count == 10 == small.truth.page_count
    for path in (small.document.pdf_path, small.document.xsd_path, small.document.ground_truth_path):
        assert Path(path).is_file()
    assert Path(small.document.pdf_path).name == "sample-spec.pdf"
    assert not list(Path(small.document.pdf_path).parent.glob(".*.tmp"))  # no temp files left behind


def test_outline_is_at_least_four_deep_and_includes_annexes_with_subclauses(small: Sample) -> None:
    toc = small.pdf.get_toc()
    assert max(level for level, _, _ in toc) >= 4
    titles = [title for _, title, _ in toc]
    assert "Annex A (normative) Schema" in titles
    assert any(title.startswith("Annex B (informative)") for title in titles)
    assert any(title.startswith("A.1 ") for title in titles) and any(title.startswith("B.1 ") for title in titles)
    assert [(c.level, c.heading, c.page + 1) for c in small.truth.clauses] == [tuple(entry) for entry in toc]


def test_every_outline_heading_is_printed_bold_and_larger_on_its_page(small: Sample) -> None:
    for clause in small.truth.clauses:
        spans = [
            span
            for block in small.pdf[clause.page].get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
            if span["text"] == clause.heading
        ]
        assert spans, f"heading {clause.heading!r} not printed on page {clause.page}"
        # the running header repeats top-level headings in 8 pt; the heading itself is bold and large
        assert any(span["font"] == "Helvetica-Bold" and span["size"] > 10.5 for span in spans), clause.heading


def test_page_labels_are_roman_then_arabic_and_match_the_offset(small: Sample) -> None:
    truth = small.truth
    labels = [page.get_label() for page in small.pdf]
    assert labels == truth.page_labels
    assert labels[: truth.front_matter_pages] == ["i", "ii", "iii", "iv"][: truth.front_matter_pages]
    assert 2 <= truth.front_matter_pages <= 3
    for index in range(truth.front_matter_pages, small.pdf.page_count):
        printed = int(labels[index])
        assert printed + truth.page_offset == index
        assert printed != index + 1  # printed numbers differ from PDF page numbers
    for clause in truth.clauses:
        assert clause.printed_page + truth.page_offset == clause.page


def test_body_pages_carry_a_running_header_and_their_printed_number(small: Sample) -> None:
    truth = small.truth
    top_level = {c.page: c.heading for c in truth.clauses if c.level == 1}
    current = None
    for index in range(truth.front_matter_pages, small.pdf.page_count):
        current = top_level.get(index, current)
        lines = small.text(index).splitlines()
        assert lines[0] == current, f"page {index} header"
        assert lines[-1] == truth.page_labels[index], f"page {index} footer"


def test_contents_pages_list_clauses_with_printed_page_numbers(small: Sample, medium: Sample) -> None:
    contents = "\n".join(small.text(page) for page in range(1, small.truth.front_matter_pages))
    assert "Contents" in contents
    for clause in small.truth.clauses:  # small documents list every level
        assert re.search(re.escape(clause.heading) + r"\s*\.+\s*" + str(clause.printed_page) + r"\b", contents), clause.heading
    big_contents = "\n".join(medium.text(page) for page in range(1, medium.truth.front_matter_pages))
    listed = {match.group(1) for match in re.finditer(r"^(.+?) \.+ \d+$", big_contents, re.MULTILINE)}
    assert listed
    for clause in medium.truth.clauses:  # bigger ones list levels 1-2 only
        assert (clause.heading in listed) == (clause.level <= 2), clause.heading


# ----- references and decoys -------------------------------------------------------------------


def test_every_reference_is_printed_on_its_page_and_all_forms_occur(small: Sample, medium: Sample) -> None:
    for reference in medium.truth.references:
        assert reference.text in _normalized(medium.text(reference.page)), reference
    references = small.truth.references
    assert {reference.form for reference in references} == {"section_sign", "dotted", "annex", "range", "title"}
    texts = [reference.text for reference in references]
    assert any(re.fullmatch(r"§\d+(\.\d+)*", text) for text in texts)
    assert any(re.fullmatch(r"§ [\dA-Z]+(\.\d+)*", text) for text in texts)
    assert any(re.fullmatch(r"§§ \d+–\d+", text) for text in texts)
    for reference in references:
        assert reference.text in _normalized(small.text(reference.page)), reference


def test_every_reference_target_is_a_clause_of_the_document(small: Sample, medium: Sample) -> None:
    for sample in (small, medium):
        ids = {clause.clause_id for clause in sample.truth.clauses}
        for reference in sample.truth.references:
            assert reference.target_clause == reference.target_clauses[0]
            assert set(reference.target_clauses) <= ids, reference
            if reference.form == "range":
                first, last = (int(part) for part in reference.text.removeprefix("§§ ").split("–"))
                assert reference.target_clauses == [str(n) for n in range(first, last + 1)]
            elif reference.form == "title":
                title = reference.text.removeprefix("see ")
                assert [c.clause_id for c in sample.truth.clauses if c.title == title] == [reference.target_clause]
            else:
                assert reference.text.endswith(reference.target_clause)


def test_reference_links_in_the_pdf_point_to_the_target_clause_page(medium: Sample) -> None:
    truth = medium.truth
    page_of = {clause.clause_id: clause.page for clause in truth.clauses}
    link_targets: dict[int, set[int]] = {}
    for reference in truth.references[:300]:
        if reference.page not in link_targets:
            link_targets[reference.page] = {link["page"] for link in medium.pdf[reference.page].get_links()}
        assert page_of[reference.target_clause] in link_targets[reference.page], reference


def test_decoys_are_printed_but_are_not_references(medium: Sample) -> None:
    truth = medium.truth
    assert {decoy.kind for decoy in truth.decoys} == {"version", "measurement", "decimal", "list_number"}
    reference_spots = {(reference.page, reference.text) for reference in truth.references}
    for decoy in truth.decoys[:200]:
        assert decoy.text in _normalized(medium.text(decoy.page))
        assert (decoy.page, decoy.text) not in reference_spots


# ----- schema, examples, tables ----------------------------------------------------------------


def test_xsd_is_a_valid_schema_whose_declarations_match_the_ground_truth(small: Sample) -> None:
    tree = etree.parse(small.document.xsd_path)
    etree.XMLSchema(tree)  # raises when the schema is invalid
    declared = [
        (etree.QName(node).localname, node.get("name"))
        for node in tree.getroot()
        if node.get("name") is not None
    ]
    assert declared == [(d.kind, d.name) for d in small.truth.schema_declarations]
    assert tree.getroot().get("targetNamespace") == small.truth.namespace == NAMESPACE


def test_schema_annex_prints_the_xsd_file_line_by_line(small: Sample) -> None:
    truth = small.truth
    annex_text = "\n".join(small.text(page) for page in truth.schema_annex_pages)
    annex_lines = [line.strip() for line in annex_text.splitlines()]
    xsd_lines = [line.strip() for line in Path(small.document.xsd_path).read_text().splitlines()]
    position = 0
    for line in xsd_lines:  # in order, allowing running headers and footers in between
        position = annex_lines.index(line, position) + 1
    for declaration in truth.schema_declarations:
        if declaration.kind == "element":
            assert f'name="{declaration.name}"' in annex_text
    listing = next(c for c in truth.clauses if c.clause_id == truth.schema_annex_clause)
    assert listing.page == truth.schema_annex_pages[0]


def test_xml_examples_use_the_vocabulary_and_validate_against_the_schema() -> None:
    for pages, seed in ((10, 0), (1000, 3)):
        vocabulary = build_vocabulary(random.Random(seed), *vocabulary_size(pages))
        schema = etree.XMLSchema(etree.fromstring(render_xsd(vocabulary).encode()))
        prose = Prose(random.Random(seed), vocabulary)
        names = set(vocabulary.element_names) | set(vocabulary.attributes)
        for element in vocabulary.elements * 3:
            example = prose.xml_example(element)
            fragment = etree.fromstring(example.xml.encode())
            assert schema.validate(fragment), (example.xml, schema.error_log)
            assert element.name in example.names and set(example.names) <= names
            assert all(len(line) <= 80 for line in example.lines)


def test_examples_are_framed_and_printed_in_courier(small: Sample) -> None:
    truth = small.truth
    assert truth.xml_examples == len(truth.examples) > 0
    assert set(truth.example_names) <= {d.name for d in truth.schema_declarations}
    for example in truth.examples:
        text = small.text(example.page)
        assert "[Example:" in text or "[Example:" in small.text(example.page - 1)
        fonts = {
            span["font"]
            for block in small.pdf[example.page].get_text("dict")["blocks"]
            for line in block.get("lines", [])
            for span in line["spans"]
            if f'xmlns:s="{NAMESPACE}"' in span["text"]
        }
        assert fonts == {"Courier"} or not fonts  # the root line may sit on the page before


def test_attribute_tables_are_drawn_with_a_header_row(small: Sample) -> None:
    truth = small.truth
    assert truth.tables == len(truth.attribute_tables) > 0
    table = truth.attribute_tables[0]
    page = small.pdf[table.page]
    found = page.find_tables().tables
    assert found, "no ruled table detected"
    rows = [[(cell or "").replace("\n", " ") for cell in row] for row in found[0].extract()]
    assert rows[0] == ["Name", "Type", "Default", "Description"]
    assert [row[0] for row in rows[1:]] == table.attributes
    assert table.caption in _normalized(small.text(table.page))


# ----- scale, determinism, bad input -----------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path, small: Sample) -> None:
    again = generate_sample(tmp_path / "again", pages=10, seed=0)
    other = generate_sample(tmp_path / "other", pages=10, seed=1)
    for name in ("pdf_path", "xsd_path", "ground_truth_path"):
        assert Path(getattr(again, name)).read_bytes() == Path(getattr(small.document, name)).read_bytes()
    assert Path(other.pdf_path).read_bytes() != Path(again.pdf_path).read_bytes()


def test_two_hundred_pages_hold_proportionally_more_clauses(small: Sample, medium: Sample) -> None:
    assert medium.pdf.page_count == 200
    body_pages = 200 - medium.truth.front_matter_pages
    clauses = len(medium.truth.clauses)
    assert 1.0 <= clauses / body_pages <= 2.5
    assert clauses > 10 * len(small.truth.clauses)
    assert len(medium.truth.references) > 10 * len(small.truth.references) / 2
    assert max(c.level for c in medium.truth.clauses) >= 4


@pytest.mark.parametrize("pages", [11, 12, 17, 33, 64])
def test_page_count_is_exact_for_any_size(pages: int) -> None:
    sample = build_sample(pages, seed=pages)
    assert len(sample.pdf.pages) == pages == len(sample.truth.page_labels)
    assert sample.truth.clauses[-1].page < pages


@pytest.mark.parametrize("pages", [9, 0, -5, 20_001])
def test_too_few_or_too_many_pages_is_refused(tmp_path: Path, pages: int) -> None:
    with pytest.raises(ValueError, match="pages must be between"):
        generate_sample(tmp_path, pages=pages)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("pages", "seed", "message"), [("10", 0, "pages must be an integer"), (10, -1, "seed"), (True, 0, "pages")])
def test_malformed_arguments_are_refused(tmp_path: Path, pages: object, seed: int, message: str) -> None:
    with pytest.raises(InvalidSampleRequest, match=message):
        generate_sample(tmp_path, pages=pages, seed=seed)  # type: ignore[arg-type]


def test_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    with pytest.raises(InvalidSampleRequest, match="not a folder"):
        generate_sample(target, pages=10)


def test_command_line_writes_the_sample_and_prints_its_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sample_cli(["--pages", "10", "--out", str(tmp_path / "cli"), "--seed", "2"]) == 0
    printed = capsys.readouterr().out
    for name in ("sample-spec.pdf", "sample-spec.xsd", "sample-spec.truth.json"):
        assert str(tmp_path / "cli" / name) in printed
    assert sample_cli(["--pages", "3", "--out", str(tmp_path / "bad")]) == 2
