"""Generate the sample specification: PDF, XSD and ground truth, deterministic per (pages, seed).

Order of work: vocabulary and schema; the two annexes (independent of the body); the front
matter size (estimated from the page count); the body, whose top-level clauses each fill an
exact page budget; then the table of contents, running headers and footers, links, outline and
page labels, now that every page's final index is known.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

from schemas.sample import (
    SampleClause,
    SampleDecoy,
    SampleDocument,
    SampleExample,
    SampleGroundTruth,
    SampleReference,
    SampleTable,
)
from specmill.sample.annexes import ANNEX_TARGETS, SCHEMA_LISTING, examples_annex, schema_annex
from specmill.sample.body import MAX_LEVEL, BodyWriter, TopLevelPlan
from specmill.sample.content import Prose
from specmill.sample.frontmatter import DOCUMENT_TITLE, TocEntry, cover_page, toc_pages, toc_pages_for
from specmill.sample.layout import (
    BODY_FONT,
    FOOTER_BASELINE,
    HEADER_BASELINE,
    MARGIN_X,
    PAGE_WIDTH,
    Flow,
    Page,
    centered_text,
    text_op,
    text_width,
)
from specmill.sample.pdf import Bookmark, Link, PdfPlan, write_pdf
from specmill.sample.records import Chapter
from specmill.sample.vocabulary import NAMESPACE, Vocabulary, build_vocabulary, vocabulary_size
from specmill.sample.xsd import render_xsd, schema_declarations
from specmill.atomic import write_atomic_with

GENERATOR = "specmill.sample/1"
MIN_PAGES = 10
MAX_PAGES = 20_000
MIN_BODY_PAGES = 3
CLAUSES_PER_BODY_PAGE = 1.7  # measured on generated documents; sizes the table of contents
LEVEL_TWO_SHARE = 0.42  # measured share of clauses at levels 1-2, plus a margin
MAX_FULL_TOC_PAGES = 4
PAGES_PER_TOP_LEVEL_CLAUSE = 30
MAX_TOP_LEVEL_CLAUSES = 40

PDF_NAME = "sample-spec.pdf"
XSD_NAME = "sample-spec.xsd"
TRUTH_NAME = "sample-spec.truth.json"


class InvalidSampleRequest(ValueError):
    """The requested sample cannot be generated (page count, seed or output folder)."""


@dataclass(frozen=True)
class BuiltSample:
    pdf: PdfPlan
    xsd: str
    truth: SampleGroundTruth


def generate_sample(out_dir: Path, pages: int = 10, seed: int = 0) -> SampleDocument:
    """Write `sample-spec.pdf`, `.xsd` and `.truth.json` into `out_dir`; the PDF has exactly `pages` pages."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InvalidSampleRequest(f"output folder {out} exists and is not a folder")
    sample = build_sample(pages, seed)
    out.mkdir(parents=True, exist_ok=True)
    xsd_path, truth_path, pdf_path = out / XSD_NAME, out / TRUTH_NAME, out / PDF_NAME
    write_atomic_with(xsd_path, lambda temp: temp.write_bytes(sample.xsd.encode("utf-8")))
    write_atomic_with(truth_path, lambda temp: temp.write_bytes(sample.truth.model_dump_json(indent=1).encode("utf-8")))
    # Last: a PDF on disk implies its companions are complete.
    write_atomic_with(pdf_path, lambda temp: write_pdf(sample.pdf, str(temp)))
    return SampleDocument(pdf_path=str(pdf_path), xsd_path=str(xsd_path), ground_truth_path=str(truth_path), page_count=pages)


def build_sample(pages: int, seed: int) -> BuiltSample:
    _validate(pages, seed)

    def rng(purpose: str) -> random.Random:
        return random.Random(f"specmill-sample:{seed}:{purpose}")

    vocabulary = build_vocabulary(rng("vocabulary"), *vocabulary_size(pages))
    xsd_text = render_xsd(vocabulary)
    annex_a = schema_annex(xsd_text)
    annex_b = examples_annex(Prose(rng("annex"), vocabulary), vocabulary)
    annex_pages = len(annex_a.flow.pages) + len(annex_b.flow.pages)
    front_pages, toc_depth = _front_matter_pages(pages, annex_pages)
    body_pages = pages - front_pages - annex_pages
    if body_pages < MIN_BODY_PAGES:
        raise InvalidSampleRequest(
            f"{pages} pages leave {body_pages} for the clauses after front matter and annexes; ask for more pages"
        )

    prose = Prose(rng("body"), vocabulary)
    plan = _top_level_plan(rng("plan"), prose, body_pages)
    writer = BodyWriter(
        rng("body-structure"), prose, vocabulary, plan, ANNEX_TARGETS,
        expected_leaves=round(body_pages * CLAUSES_PER_BODY_PAGE * 0.6),
    )
    body: list[Chapter] = []
    for index, item in enumerate(plan):
        chapter = Chapter(Flow(page_limit=item.pages))
        # The second clause always reaches depth 4, so even the 10-page fixture has a deep outline.
        writer.write_top_level(item, chapter, force_depth=4 if index == 1 else 0)
        body.append(chapter)

    chapters = [*body, annex_a, annex_b]
    start = front_pages
    for chapter in chapters:
        chapter.start = start
        start += len(chapter.flow.pages)
    if start != pages:
        raise AssertionError(f"laid out {start} pages instead of {pages}")
    return _assemble(pages, seed, front_pages, toc_depth, chapters, annex_a, xsd_text, vocabulary, writer.table_count)


def _assemble(
    pages: int,
    seed: int,
    front_pages: int,
    toc_depth: int,
    chapters: list[Chapter],
    annex_a: Chapter,
    xsd_text: str,
    vocabulary: Vocabulary,
    table_count: int,
) -> BuiltSample:
    offset = front_pages - 1  # printed page 1 is the first page after the front matter
    clauses = [
        SampleClause(
            clause_id=clause.clause_id, title=clause.title, heading=clause.heading, level=clause.level,
            page=chapter.start + clause.page, printed_page=chapter.start + clause.page - offset,
        )
        for chapter in chapters
        for clause in chapter.clauses
    ]
    destination = {
        clause.clause_id: (chapter.start + clause.page, clause.top) for chapter in chapters for clause in chapter.clauses
    }
    toc_entries = [TocEntry(c.clause_id, c.heading, c.level, c.printed_page) for c in clauses if c.level <= toc_depth]
    toc = toc_pages(toc_entries, front_pages - 1)
    all_pages: list[Page] = [cover_page(pages, seed), *toc]
    for chapter in chapters:
        all_pages.extend(chapter.flow.pages)
    labels = [_roman(index + 1) if index < front_pages else str(index - offset) for index in range(pages)]
    for index, page in enumerate(all_pages):
        _add_running_text(page, labels[index], index < front_pages, index == 0)

    links: list[Link] = []
    for index, page in enumerate(all_pages[:front_pages]):
        for pending in page.links:
            target_page, top = destination[pending.target]
            links.append(Link(index, pending.rect, target_page, top))
    references: list[SampleReference] = []
    decoys: list[SampleDecoy] = []
    for chapter in chapters:
        for placed in chapter.marks:
            mark, page = placed.mark, chapter.start + placed.page
            if mark.form is not None:
                assert mark.target is not None
                references.append(SampleReference(
                    source_clause=placed.source_clause, page=page, text=mark.text, form=mark.form,  # type: ignore[arg-type]
                    target_clause=mark.target, target_clauses=list(mark.targets),
                ))
                target_page, top = destination[mark.target]
                links.append(Link(page, placed.rect, target_page, top))
            else:
                decoys.append(SampleDecoy(source_clause=placed.source_clause, page=page, text=mark.text, kind=mark.kind))  # type: ignore[arg-type]

    examples = [
        SampleExample(source_clause=item.source_clause, page=chapter.start + item.page, names=list(item.names))
        for chapter in chapters
        for item in chapter.examples
    ]
    tables = [
        SampleTable(
            source_clause=item.source_clause, page=chapter.start + item.page, caption=item.caption,
            element=item.element, attributes=list(item.attributes),
        )
        for chapter in chapters
        for item in chapter.tables
    ]
    pdf = PdfPlan(
        all_pages,
        links,
        [Bookmark(c.level, c.heading, c.page) for c in clauses],
        front_pages,
        {"title": DOCUMENT_TITLE, "author": "specmill", "subject": f"generated sample, {pages} pages, seed {seed}"},
    )
    truth = SampleGroundTruth(
        generator=GENERATOR,
        seed=seed,
        page_count=pages,
        front_matter_pages=front_pages,
        page_offset=offset,
        page_labels=labels,
        namespace=NAMESPACE,
        clauses=clauses,
        references=references,
        decoys=decoys,
        xml_examples=len(examples),
        examples=examples,
        tables=table_count,
        attribute_tables=tables,
        schema_annex_clause=SCHEMA_LISTING.clause_id,
        schema_annex_pages=[annex_a.start + page for page in annex_a.listing_pages],
        schema_declarations=schema_declarations(vocabulary),
        example_names=sorted({name for example in examples for name in example.names}),
    )
    return BuiltSample(pdf, xsd_text, truth)


def _validate(pages: int, seed: int) -> None:
    if isinstance(pages, bool) or not isinstance(pages, int):
        raise InvalidSampleRequest(f"pages must be an integer, got {pages!r}")
    if not MIN_PAGES <= pages <= MAX_PAGES:
        raise InvalidSampleRequest(f"pages must be between {MIN_PAGES} and {MAX_PAGES}, got {pages}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidSampleRequest(f"seed must be a non-negative integer, got {seed!r}")


def _front_matter_pages(pages: int, annex_pages: int) -> tuple[int, int]:
    """Cover plus contents pages, and the deepest level the contents list.

    Small documents list every level; when that would take more than a few pages, the contents
    list levels 1-2 only, as printed standards do."""
    for depth, share in ((MAX_LEVEL, 1.1), (2, LEVEL_TWO_SHARE)):
        toc = 1
        for _ in range(3):  # the body size depends on the contents size, and vice versa; converges at once
            body = max(0, pages - annex_pages - 1 - toc)
            toc = toc_pages_for(math.ceil(body * CLAUSES_PER_BODY_PAGE * share) + len(ANNEX_TARGETS))
        if toc <= MAX_FULL_TOC_PAGES:
            break
    return 1 + toc, depth


def _top_level_plan(rng: random.Random, prose: Prose, body_pages: int) -> list[TopLevelPlan]:
    """Clause 1 (Scope) gets one page; the rest share the body by random weights, at least a page each."""
    count = max(3, min(MAX_TOP_LEVEL_CLAUSES, round(body_pages / PAGES_PER_TOP_LEVEL_CLAUSE), body_pages))
    count = min(count, body_pages)
    weights = [rng.uniform(0.5, 1.6) for _ in range(count - 1)]
    if count >= 10:
        weights[rng.randrange(len(weights))] *= 6  # one giant clause, longer than a batch, as real standards have
    spare = body_pages - 1 - (count - 1)
    shares = [spare * weight / sum(weights) for weight in weights]
    extra = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda index: shares[index] - extra[index], reverse=True)
    for index in by_remainder[: spare - sum(extra)]:
        extra[index] += 1
    plan = [TopLevelPlan(1, "Scope", 1)]
    prose.reserve_title("Scope")
    for number, pages in enumerate(extra, start=2):
        plan.append(TopLevelPlan(number, _two_word_title(prose), 1 + pages))
    return plan


def _two_word_title(prose: Prose) -> str:
    for _ in range(100):
        title = prose.topic_title()
        if len(title.split()) == 2:
            return title
    return title


def _add_running_text(page: Page, label: str, front_matter: bool, cover: bool) -> None:
    """Running header (current top-level heading, document title) and footer (printed page)."""
    if cover:
        return
    if page.header is not None:  # drawn first, so text extraction reads it first, as in real PDFs
        width = text_width(DOCUMENT_TITLE, BODY_FONT, 8)
        page.ops.insert(0, text_op(page.header, BODY_FONT, 8, MARGIN_X, HEADER_BASELINE)
                        + text_op(DOCUMENT_TITLE, BODY_FONT, 8, PAGE_WIDTH - MARGIN_X - width, HEADER_BASELINE))
    page.ops.append(centered_text(label, BODY_FONT, 9, FOOTER_BASELINE))


def _roman(number: int) -> str:
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )
    out = []
    for value, numeral in numerals:
        while number >= value:
            out.append(numeral)
            number -= value
    return "".join(out)


