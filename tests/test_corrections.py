"""Corrections in name contexts only, scoped by kind and section; overlays and stale overlays."""

from schemas.verification_profile import NameCorrection, Overlay
from schemas.vocabulary import Finding
from specmill.verify.corrections import apply_overlays, correct_names, stale_overlays_for_missing_sections, suggested_corrections

TEXT = """The algn setting (see `algn`) matters.

| Name | Type |
| --- | --- |
| algn | ST_Algn |

```xml
<a:algn a:algn="ctr"/>
<a:tb1Look/>
```
"""


def test_a_kind_scoped_correction_changes_only_that_kind_and_never_prose():
    corrected, applied = correct_names(TEXT, [NameCorrection(garble="algn", name="align", kind="attribute")], section="2", file="f.md")
    assert '<a:algn a:align="ctr"/>' in corrected  # the element keeps its (real) name
    assert corrected.startswith("The algn setting (see `algn`)")  # prose and untyped inline code untouched
    assert "| algn | ST_Algn |" in corrected  # a table whose caption does not say attributes: kind unknown
    assert [(a.token, a.replacement, a.kind, a.count) for a in applied] == [("algn", "align", "attribute", 1)]


def test_an_unscoped_correction_fixes_every_name_context_and_keeps_the_prefix():
    corrected, applied = correct_names(TEXT, [NameCorrection(garble="tb1Look", name="tblLook")], section="2", file="f.md")
    assert "<a:tblLook/>" in corrected and sum(a.count for a in applied) == 1


def test_a_section_scoped_correction_leaves_other_sections_alone():
    correction = NameCorrection(garble="tb1Look", name="tblLook", sections=["4.1"])
    assert correct_names(TEXT, [correction], section="2", file="f.md")[0] == TEXT


def test_overlays_apply_in_their_section_and_unmatched_ones_are_stale():
    overlays = [
        Overlay(section="2", find="matters", replace="is significant"),
        Overlay(section="2", find=r"ctr\b", replace="center", regex=True),
        Overlay(section="2", find="no longer here", replace="x"),
        Overlay(section="9", find="matters", replace="y"),
    ]
    text, applied, stale = apply_overlays(TEXT, overlays, section="2", file="f.md")
    assert "is significant" in text and '"center"' in text
    assert [a.token for a in applied] == ["matters", r"ctr\b"]
    assert [(s.section, s.find) for s in stale] == [("2", "no longer here")]
    assert [s.section for s in stale_overlays_for_missing_sections(overlays, {"2"})] == ["9"]


def _finding(token, suggestion, kind, section, in_vocabulary):
    return Finding(token=token, suggestion=suggestion, kind=kind, section=section, file="f.md", status="actionable",
                   reason="r", in_vocabulary=in_vocabulary)


def test_suggested_corrections_scope_real_name_collisions_to_their_sections():
    corrections = suggested_corrections([
        _finding("fontAlign", "fontAlgn", "attribute", "4.2", True),
        _finding("fontAlign", "fontAlgn", "attribute", "4.7", True),
        _finding("tb1Look", "tblLook", "element", "2", False),
        _finding("x1", "xl", "name", "2", False),
    ])
    as_tuples = [(c.garble, c.name, c.kind, c.sections) for c in corrections]
    assert ("fontAlign", "fontAlgn", "attribute", ["4.2", "4.7"]) in as_tuples
    assert ("tb1Look", "tblLook", "element", []) in as_tuples
    assert ("x1", "xl", "any", []) in as_tuples


def test_confirmed_corrections_take_only_unambiguous_garbles_each_in_its_own_section():
    from specmill.verify.corrections import confirmed_corrections

    ambiguous = _finding("SAKeyValue", "DSAKeyValue", "element", "4.4.2", False).model_copy(update={"alternatives": ["RSAKeyValue"]})
    suspect = _finding("tb1Look", "tblLook", "element", "3", False).model_copy(update={"status": "suspect"})
    corrections = confirmed_corrections([
        _finding("tb1Look", "tblLook", "element", "2", False),
        _finding("tb1Look", "tblLook", "element", "4.1", False),
        _finding("fontAlign", "fontAlgn", "attribute", "4.2", True),
        _finding("x1", "xl", "name", "2", False),
        ambiguous, suspect,
    ])
    assert [(c.garble, c.name, c.kind, c.sections) for c in corrections] == [
        ("fontAlign", "fontAlgn", "attribute", ["4.2"]), ("tb1Look", "tblLook", "element", ["2", "4.1"]), ("x1", "xl", "any", ["2"]),
    ]


def test_corrections_leave_the_spans_they_are_told_to_keep():
    text = "Up: [2 `<s:tb1Look>`](index.md)\n\n```xml\n<s:tb1Look/>\n```\n"
    keep = [(0, text.index("\n"))]
    corrected, applied = correct_names(text, [NameCorrection(garble="tb1Look", name="tblLook")], section="2", file="f.md", keep=keep)
    assert corrected.startswith("Up: [2 `<s:tb1Look>`]") and "<s:tblLook/>" in corrected
    assert [a.count for a in applied] == [1]
