"""Garbles the PDF disproves beyond doubt are corrected without a profile; the others stay
actionable and block the build.

"Beyond doubt": the token is printed nowhere on its file's evidence pages, a vocabulary name
close to it is, and no other name as close is. The fixtures are cut from real pages: ODF 1.3
Part 2, 4.16.4 (MinerU flash joins `file-` / `entry` at a line break into `fileentry`), SAML 2.0
core 2.5.1 (`<Condition>` / `<Conditions>`) and the XML-Signature `KeyValueType` listing that
DSS 2.0 core reprints (`DSAKeyValue` / `RSAKeyValue`: a dropped first letter is as close to one
as to the other)."""

from schemas.verification_profile import NameCorrection, VerificationRules
from schemas.vocabulary import Vocabulary, VocabularyName
from specmill.verify.correct import correct_corpus, findings_markdown
from specmill.verify import ClauseFile, PageTextWords


def _vocabulary(*entries: tuple[str, str, str | None]) -> Vocabulary:
    return Vocabulary(roots=[], files=[], names=[
        VocabularyName(name=name, kind=kind, prefix=prefix, source="schema")  # type: ignore[arg-type]
        for name, kind, prefix in entries
    ])


def _correct(files: list[ClauseFile], vocabulary: Vocabulary, pages: dict[int, str], rules: VerificationRules | None = None):
    texts = [pages.get(page, "") for page in range(max(pages) + 1)]
    return correct_corpus(files, vocabulary, rules or VerificationRules(), page_words=PageTextWords(texts).words)


# -- a hyphen MinerU dropped at a line break (ODF 1.3 Part 2, PDF page 22) ---------------------

ODF_VOCABULARY = _vocabulary(("file-entry", "element", "manifest"), ("full-path", "attribute", "manifest"), ("manifest", "element", "manifest"))
ODF_MARKDOWN = """# 4.16.4 manifest:full-path

<!-- 4.16.4: PDF page 22 -->

Up: [4.16 Manifest Attributes](4-16-0-index.md)

The manifest:full-path attribute describes the location of a file or directory within the package.

The manifest:full-path attribute is usable with the following element: `<manifest:fileentry>` 4.3.

The manifest:full-path attribute has the data type string 7.2.
"""
ODF_PAGE_BROKEN = (
    "4.16.4 manifest:full-path\nThe manifest:full-path attribute describes the location of a file or directory within the \n"
    "package.\nThe manifest:full-path attribute is usable with the following element: <manifest:file-\nentry> 4.3.\n"
    "The manifest:full-path attribute has the data type string 7.2.\n"
)
ODF_FILE = ClauseFile("4-manifest-file/4-16-manifest-attributes/4-16-4-manifest-full-path.md", "4.16.4", ODF_MARKDOWN, (21,))


def test_a_name_whose_hyphen_the_parser_dropped_at_a_line_break_is_corrected_from_the_page():
    result = _correct([ODF_FILE], ODF_VOCABULARY, {21: ODF_PAGE_BROKEN})
    report = result.report
    assert report.counts["actionable"] == 0
    assert [(f.token, f.suggestion, f.status) for f in report.findings] == [("fileentry", "file-entry", "corrected")]
    assert "from the PDF's own pages" in report.findings[0].reason
    assert "`<manifest:file-entry>` 4.3." in result.files[ODF_FILE.path]
    assert [(c.token, c.replacement, c.origin, c.count) for c in report.corrections] == [("fileentry", "file-entry", "confirmed", 1)]


def test_the_hyphenated_name_printed_anywhere_on_the_page_is_evidence_too():
    page = ODF_PAGE_BROKEN.replace("<manifest:file-\nentry> 4.3.", "<manifest:file-entry> 4.3.")
    result = _correct([ODF_FILE], ODF_VOCABULARY, {21: page})
    assert [(f.token, f.status) for f in result.report.findings] == [("fileentry", "corrected")]


def test_a_profile_can_ask_to_vet_every_correction_itself():
    result = _correct([ODF_FILE], ODF_VOCABULARY, {21: ODF_PAGE_BROKEN}, VerificationRules(apply_confirmed=False))
    assert [(f.token, f.status) for f in result.report.findings] == [("fileentry", "actionable")]
    assert result.files == {}


# -- a garble that spells another real name (SAML 2.0 core, 2.5.1 and 2.5.1.3) ------------------

SAML_VOCABULARY = _vocabulary(("Conditions", "element", None), ("Condition", "element", None))
SAML_CONDITIONS = ClauseFile("2-5-1-element-conditions/2-5-1-0-index.md", "2.5.1", """# 2.5.1 Element `<Conditions>`

The following schema fragment defines the `<Conditions>` element and its **ConditionsType** complex type:

```
<element name="Conditions" type="saml:ConditionsType"/>
```
""", (20, 21))
SAML_CONDITION = ClauseFile("2-5-1-element-conditions/2-5-1-3-element-condition.md", "2.5.1.3", """# 2.5.1.3 Element `<Condition>`

The `<Condition>` element serves as an extension point for new conditions.

```
<element name="Conditions" type="saml:ConditionAbstractType"/>
```
""", (22,))
SAML_PAGES = {
    20: "2.5.1 Element <Conditions>\nThe <Conditions> element MAY contain the following elements and attributes:\n",
    21: 'The following schema fragment defines the <Conditions> element and its ConditionsType complex type:\n'
        '<element name="Conditions" type="saml:ConditionsType"/>\n',
    22: "2.5.1.3 Element <Condition>\nThe <Condition> element serves as an extension point for new conditions.\n"
        '<element name="Condition" type="saml:ConditionAbstractType"/>\n',
}


def test_a_real_name_its_pages_never_print_is_corrected_to_the_twin_they_do_in_its_own_section_only():
    result = _correct([SAML_CONDITIONS, SAML_CONDITION], SAML_VOCABULARY, SAML_PAGES)
    finding, = result.report.findings
    assert (finding.section, finding.token, finding.suggestion, finding.status, finding.in_vocabulary) == ("2.5.1.3", "Conditions", "Condition", "corrected", True)
    assert list(result.files) == [SAML_CONDITION.path]  # 2.5.1 prints and keeps <Conditions>
    assert '<element name="Condition" type="saml:ConditionAbstractType"/>' in result.files[SAML_CONDITION.path]


def test_a_name_the_typesetter_hyphenated_at_a_line_end_counts_as_printed():
    pages = dict(SAML_PAGES)
    pages[22] = pages[22] + "Its use is as for <Condi-\ntions>.\n"
    result = _correct([SAML_CONDITIONS, SAML_CONDITION], SAML_VOCABULARY, pages)
    assert result.report.findings == [] and result.files == {}


# -- an ambiguous garble: the PDF disproves it but cannot say which name it was ------------------

DSIG_VOCABULARY = _vocabulary(("KeyValue", "element", "ds"), ("DSAKeyValue", "element", "ds"), ("RSAKeyValue", "element", "ds"))
DSIG_MARKDOWN = """# 4.5.2 Element `<KeyValue>`

```xml
<element name="KeyValue" type="ds:KeyValueType"/>
<complexType name="KeyValueType" mixed="true">
  <choice>
    <element ref="ds:SAKeyValue"/>
    <element ref="ds:RSAKeyValue"/>
    <any namespace="##other" processContents="lax"/>
  </choice>
</complexType>
```
"""
DSIG_PAGE = (
    '<element name="KeyValue" type="ds:KeyValueType"/>\n<complexType name="KeyValueType" mixed="true">\n<choice>\n'
    '<element ref="ds:DSAKeyValue"/>\n<element ref="ds:RSAKeyValue"/>\n<any namespace="##other" processContents="lax"/>\n'
    "</choice>\n</complexType>\n"
)
DSIG_FILE = ClauseFile("4-5-2-element-KeyValue.md", "4.5.2", DSIG_MARKDOWN, (40,))


def test_a_garble_as_close_to_two_printed_names_stays_actionable_with_both_named():
    result = _correct([DSIG_FILE], DSIG_VOCABULARY, {40: DSIG_PAGE})
    finding, = result.report.findings
    assert (finding.token, finding.suggestion, finding.alternatives, finding.status) == ("SAKeyValue", "DSAKeyValue", ["RSAKeyValue"], "actionable")
    assert result.files == {}
    summary = findings_markdown(result.report)
    assert "- {garble: SAKeyValue, name: DSAKeyValue, kind: element}  # the pages also print RSAKeyValue: choose" in summary


def test_the_profile_decides_an_ambiguous_garble():
    rules = VerificationRules(corrections=[NameCorrection(garble="SAKeyValue", name="DSAKeyValue", sections=["4.5.2"])])
    result = _correct([DSIG_FILE], DSIG_VOCABULARY, {40: DSIG_PAGE}, rules)
    finding, = result.report.findings
    assert finding.status == "corrected" and "by the profile" in finding.reason
    assert '<element ref="ds:DSAKeyValue"/>' in result.files[DSIG_FILE.path]
