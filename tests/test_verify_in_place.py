"""What the PDF prints at the very place of a name, and names in tables whatever their headers say.

A garble that spells another real name printed elsewhere on the section's pages (`</Ref>` for
`</Row>`, two names of a listing swapped) passes the page-level source check; the words around it,
looked up in the page's text layer, show which name the PDF prints in its place. Tables list names
under headers that do not say so ("mapped from element name", "Prefix"), and under an "Element"
header names of other kinds. The fixtures are written for these tests, shaped after code lists,
SAML-style schema listings and JSON mapping tables."""

from schemas.verification_profile import VerificationRules
from schemas.vocabulary import Vocabulary, VocabularyName
from specmill.verify.correct import correct_corpus
from specmill.verify import ClauseFile, PageTextWords
from specmill.verify.alignment import PrintedText, TextWords, page_sequence, printed_here


def _vocabulary(*entries: tuple[str, str]) -> Vocabulary:
    return Vocabulary(roots=[], files=[], names=[VocabularyName(name=n, kind=k, source="t.xsd") for n, k in entries])  # type: ignore[arg-type]


def _correct(markdown: str, page: str, vocabulary: Vocabulary, *, in_place: bool = True):
    pages = PageTextWords([page])
    clause_file = ClauseFile("3-codes.md", "3", markdown, (0,))
    result = correct_corpus(
        [clause_file], vocabulary, VerificationRules(), page_words=pages.words, page_sequence=pages.sequence if in_place else None,
    )
    return result, result.files.get(clause_file.path, markdown)


def _found(result) -> list[tuple[str, str | None, str]]:
    return [(f.token, f.suggestion, f.status) for f in result.report.findings]


# -- a garble that spells a name the page prints elsewhere --------------------------------------

CODES = _vocabulary(
    ("SimpleCodeList", "element"), ("Row", "element"), ("Value", "element"), ("SimpleValue", "element"), ("Key", "element"),
    ("ShortName", "element"), ("ColumnRef", "element"), ("Ref", "attribute"), ("Id", "attribute"), ("ColumnRef", "attribute"),
)
CODES_PAGE = """3 Code lists
Each row of a code list holds values; a key refers to a column by its Ref attribute.
<SimpleCodeList>
<Row>
<Value ColumnRef="code"><SimpleValue>AD</SimpleValue></Value>
<Value ColumnRef="name"><SimpleValue>Andorra</SimpleValue></Value>
</Row>
</SimpleCodeList>
<Key Id="codeKey">
<ShortName>CodeKey</ShortName>
<ColumnRef Ref="code"/>
</Key>
"""
CODES_MARKDOWN = """# 3 Code lists

Each row of a code list holds values; a key refers to a column by its Ref attribute.

```xml
<SimpleCodeList>
<Row>
<Value ColumnRef="code"><SimpleValue>AD</SimpleValue></Value>
<Value ColumnRef="name"><SimpleValue>Andorra</SimpleValue></Value>
</Row>
</SimpleCodeList>
<Key Id="codeKey">
<ShortName>CodeKey</ShortName>
<ColumnRef Ref="code"/>
</Key>
```
"""


def test_a_name_the_page_prints_elsewhere_is_a_garble_where_the_page_prints_another_name_in_its_place():
    garbled = CODES_MARKDOWN.replace("</Row>", "</Ref>")
    result, text = _correct(garbled, CODES_PAGE, CODES)
    assert _found(result) == [("Ref", "Row", "corrected")]
    assert "the PDF prints 'Row' in its place" in result.report.findings[0].reason
    assert text == CODES_MARKDOWN


def test_without_the_pages_word_order_only_the_page_level_check_runs_and_lets_it_pass():
    result, _ = _correct(CODES_MARKDOWN.replace("</Row>", "</Ref>"), CODES_PAGE, CODES, in_place=False)
    assert _found(result) == []


def test_names_as_the_page_prints_them_are_never_judged_in_place():
    result, text = _correct(CODES_MARKDOWN, CODES_PAGE, CODES)
    assert _found(result) == [] and text == CODES_MARKDOWN


def test_a_name_printed_in_prose_is_still_a_garble_where_the_listing_prints_another():
    """`row` is an English word the page prints; the vocabulary check only suspected it."""
    garbled = CODES_MARKDOWN.replace("</Row>", "</row>")
    result, text = _correct(garbled, CODES_PAGE, CODES)
    assert _found(result) == [("row", "Row", "corrected")]
    assert text == CODES_MARKDOWN


# -- two names of a listing swapped ----------------------------------------------------------------

IDS = _vocabulary(("BaseID", "element"), ("NameID", "element"), ("EncryptedID", "element"), ("Subject", "element"))
IDS_PAGE = """2.4.1 Element <Subject>
The <Subject> element MAY contain an identifier: <BaseID>, <NameID> or <EncryptedID>.
<complexType name="SubjectType">
<choice>
<sequence>
<choice>
<element ref="saml:BaseID"/>
<element ref="saml:NameID"/>
<element ref="saml:EncryptedID"/>
</choice>
</sequence>
</choice>
</complexType>
"""
IDS_MARKDOWN = """# 2.4.1 Element `<Subject>`

The `<Subject>` element MAY contain an identifier: `<BaseID>`, `<NameID>` or `<EncryptedID>`.

```
<complexType name="SubjectType">
<choice>
<sequence>
<choice>
<element ref="saml:BaseID"/>
<element ref="saml:NameID"/>
<element ref="saml:EncryptedID"/>
</choice>
</sequence>
</choice>
</complexType>
```
"""


def test_two_names_swapped_in_a_listing_are_both_found_and_left_for_the_profile_when_the_file_also_uses_them_rightly():
    swapped = IDS_MARKDOWN.replace('saml:BaseID"', "saml:TMP\"").replace('saml:NameID"', 'saml:BaseID"').replace("saml:TMP\"", 'saml:NameID"')
    result, text = _correct(swapped, IDS_PAGE, IDS)
    findings = {f.token: f for f in result.report.findings}
    assert {(f.token, f.suggestion, f.status) for f in findings.values()} == {("BaseID", "NameID", "actionable"), ("NameID", "BaseID", "actionable")}
    # The prose names both rightly: correcting every occurrence would garble those.
    assert findings["BaseID"].alternatives == ["BaseID"] and findings["NameID"].alternatives == ["NameID"]
    assert "1 of 2 places" in findings["BaseID"].reason
    assert text == swapped


def test_a_listing_as_printed_raises_nothing_though_it_repeats_its_syntax_around_near_names():
    result, _ = _correct(IDS_MARKDOWN, IDS_PAGE, IDS)
    assert _found(result) == []


def test_a_garbled_neighbour_does_not_hide_the_place_of_a_name():
    """Dense garbles: the rows around a swapped pair garbled too (a doubled letter, 0 for o)."""
    printed = PrintedText([page_sequence("Content O Expression M ForAll O ForAny O Function M Map O")])
    text = TextWords("| Content | O |\n| Expresssion | M |\n| ForAny | O |\n| ForAll | O |\n| Functi0n | M |")
    at = text.words.index("ForAny")
    assert printed_here(text, at, printed, lambda word: word in {"ForAll", "ForAny"}) == {"ForAll"}


# -- tables -----------------------------------------------------------------------------------------

LOOKUP = _vocabulary(
    ("Base64Signature", "element"), ("Base64Data", "element"), ("Code", "element"), ("Map", "element"),
    ("createReference", "attribute"), ("ResponseID", "attribute"), ("Response", "element"),
)
LOOKUP_PAGE = """4.7 Element / JSON name lookup tables
The subsequent table allows to find the names of a component's element for a given JSON member name.
JSON member name mapped from element name
b64Data Base64Data
b64Sig Base64Signature
code Code
Element Implementing JSON member name
createReference createRef
ResponseID respID
Element name M/O
Function M
Map O
Response M
"""
LOOKUP_MARKDOWN = """# 4.7 Element / JSON name lookup tables

The subsequent table allows to find the names of a component's element for a given JSON member name.

| JSON member name | mapped from element name |
| --- | --- |
| b64Data | Base64Data |
| b64Sig | Base64Signature |
| code | Code |

| Element | Implementing JSON member name |
| --- | --- |
| createReference | createRef |
| ResponseID | respID |

| Element name | M/O |
| --- | --- |
| Function | M |
| Map | O |
| Response | M |
"""


def test_a_name_in_a_column_whose_header_does_not_say_so_is_checked_against_the_page():
    result, text = _correct(LOOKUP_MARKDOWN.replace("| Base64Signature |", "| Base64Signture |"), LOOKUP_PAGE, LOOKUP)
    assert _found(result) == [("Base64Signture", "Base64Signature", "corrected")]
    assert text == LOOKUP_MARKDOWN


def test_a_lone_cell_the_page_prints_is_never_suspected_for_resembling_a_name():
    """`code` (a JSON member name) is `Code` with one letter's case changed."""
    result, _ = _correct(LOOKUP_MARKDOWN, LOOKUP_PAGE, LOOKUP)
    assert _found(result) == []


def test_an_element_column_is_checked_against_names_of_every_kind():
    """`createReference` is an attribute; so is `ResponseID`, which an element column once made a
    suspect garble of the element `Response`."""
    result, text = _correct(LOOKUP_MARKDOWN.replace("| createReference |", "| createeference |"), LOOKUP_PAGE, LOOKUP)
    assert _found(result) == [("createeference", "createReference", "corrected")]
    assert text == LOOKUP_MARKDOWN


def test_a_name_shorter_than_the_vocabulary_check_reads_is_judged_in_place():
    result, text = _correct(LOOKUP_MARKDOWN.replace("| Map |", "| Ma |"), LOOKUP_PAGE, LOOKUP)
    assert _found(result) == [("Ma", "Map", "corrected")]
    assert text == LOOKUP_MARKDOWN
