"""The self-generated sample specification and the ground truth it records about itself.

The generator (specmill.sample) writes a PDF, the XSD that the PDF's schema annex prints, and
a `SampleGroundTruth` JSON file. Later stages are tested against that ground truth: where each
clause starts, what each cross-reference points to, which schema names exist.
"""

from typing import Literal

from pydantic import Field

from schemas.base import Contract

ReferenceForm = Literal["section_sign", "dotted", "annex", "range", "title"]
DecoyKind = Literal["version", "measurement", "decimal", "list_number"]
DeclarationKind = Literal["element", "attribute", "complexType", "simpleType"]


class SampleDocument(Contract):
    """The files one call of `generate_sample` wrote."""

    pdf_path: str
    xsd_path: str
    ground_truth_path: str
    page_count: int


class SampleClause(Contract):
    clause_id: str = Field(description="'2.1.3', 'Annex A', 'A.2'.")
    title: str = Field(description="Title without the clause id ('Run Properties', 'Schema').")
    heading: str = Field(description="The heading line exactly as printed; also the bookmark title.")
    level: int = Field(ge=1, description="1 = top-level clause or annex.")
    page: int = Field(ge=0, description="0-based PDF page index of the heading.")
    printed_page: int = Field(description="Printed (arabic) page number of that page.")


class SampleReference(Contract):
    """One cross-reference as printed in body prose."""

    source_clause: str
    page: int = Field(ge=0, description="0-based PDF page index where the reference text is printed.")
    text: str = Field(description="The reference exactly as printed ('§2.1.3', '§ 2.1.3', 'see 4.2', 'in 4.2', 'Annex B', '§§ 3–5', 'see Package Model').")
    form: ReferenceForm
    target_clause: str = Field(description="Canonical id of the target; the first clause of a range.")
    target_clauses: list[str] = Field(description="Every clause the reference names (a range expanded).")


class SampleDecoy(Contract):
    """Text that looks like a clause number but is not a reference (must not be linked)."""

    source_clause: str
    page: int = Field(ge=0)
    text: str = Field(description="'version 1.2', '3.5 mm', '1.5', '2.' (a numbered list item).")
    kind: DecoyKind


class SampleExample(Contract):
    """One '[Example: … end example]' block with its XML fragment."""

    source_clause: str
    page: int = Field(ge=0, description="Page where the code block starts.")
    names: list[str] = Field(description="Vocabulary names (elements and attributes, unprefixed) used in the fragment.")


class SampleTable(Contract):
    """One drawn attribute table (Name | Type | Default | Description)."""

    source_clause: str
    page: int = Field(ge=0)
    caption: str
    element: str = Field(description="The element whose attributes the table lists.")
    attributes: list[str] = Field(description="The Name column, top to bottom.")


class SchemaDeclaration(Contract):
    kind: DeclarationKind
    name: str


class SampleGroundTruth(Contract):
    generator: str = Field(description="Generator name and version; bump when the layout changes.")
    seed: int
    page_count: int
    front_matter_pages: int = Field(description="Cover and table-of-contents pages (roman page labels).")
    page_offset: int = Field(description="pdf_index = printed_page + page_offset for every body and annex page.")
    page_labels: list[str] = Field(description="Printed label of every page, in PDF order.")
    namespace: str = Field(description="Target namespace of the schema and of every XML example.")
    clauses: list[SampleClause] = Field(description="Every clause and annex in document order (the outline).")
    references: list[SampleReference]
    decoys: list[SampleDecoy]
    xml_examples: int
    examples: list[SampleExample]
    tables: int
    attribute_tables: list[SampleTable]
    schema_annex_clause: str = Field(description="Id of the clause whose body is the printed XSD listing.")
    schema_annex_pages: list[int] = Field(description="0-based pages that print the XSD listing.")
    schema_declarations: list[SchemaDeclaration] = Field(description="Every named declaration of the XSD, in file order.")
    example_names: list[str] = Field(description="Sorted vocabulary names that occur in at least one XML example.")
