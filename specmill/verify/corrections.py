"""Corrections of the clause tree's text: a vetted name map, then per-section overlays.

Names are corrected only where the text uses them as names (the tokens of
specmill.verify.tokens), so `algn` in prose or in a URL is never touched, and a correction
scoped to a kind (`attribute`) leaves the same spelling alone where it is an element. Overlays
are plain text edits applied last; one whose `find` no longer matches is reported as stale (the
parse changed under it, and it would otherwise silently rot in the profile).

Garbles the PDF itself disproves beyond doubt need no vetting: `confirmed_corrections` turns
them into corrections scoped to the section whose pages disproved them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from schemas.verification_profile import NameCorrection, Overlay
from schemas.vocabulary import AppliedCorrection, Finding, StaleOverlay
from specmill.profile_patterns import profile_pattern
from specmill.verify.navigation import inside
from specmill.verify.tokens import extract_name_tokens


def _applies(correction: NameCorrection, kind: str, section: str) -> bool:
    if correction.sections and section not in correction.sections:
        return False
    return correction.kind == "any" or correction.kind == kind


def correct_names(
    markdown: str, corrections: Iterable[NameCorrection], *, section: str, file: str,
    known_prefixes: Iterable[str] = (), origin: str = "profile", keep: Sequence[tuple[int, int]] = (),
) -> tuple[str, list[AppliedCorrection]]:
    """`markdown` with every name-context occurrence of a garble replaced by its name (the prefix
    is kept: `s:fontAlign` -> `s:fontAlgn`), except inside the `keep` spans (the lines written from
    the outline, where the same spelling is the title the PDF prints: specmill.verify.navigation)."""
    by_garble: dict[str, list[NameCorrection]] = {}
    for correction in corrections:
        by_garble.setdefault(correction.garble, []).append(correction)
    if not by_garble:
        return markdown, []
    edits: list[tuple[int, int, str]] = []
    counts: Counter[tuple[str, str, str]] = Counter()
    for token in extract_name_tokens(markdown, known_prefixes=known_prefixes):
        if inside(token.start, keep):
            continue
        for correction in by_garble.get(token.name, []):
            if _applies(correction, token.kind, section):
                edits.append((token.start, token.end, correction.name))
                counts[(token.name, correction.name, token.kind)] += 1
                break
    for start, end, name in sorted(edits, reverse=True):
        markdown = markdown[:start] + name + markdown[end:]
    applied = [
        AppliedCorrection(section=section, file=file, token=garble, replacement=name, kind=kind, count=count, origin=origin)  # type: ignore[arg-type]
        for (garble, name, kind), count in sorted(counts.items())
    ]
    return markdown, applied


def apply_overlays(markdown: str, overlays: Iterable[Overlay], *, section: str, file: str) -> tuple[str, list[AppliedCorrection], list[StaleOverlay]]:
    """Apply the section's overlays in order; those that match nothing are returned as stale."""
    applied: list[AppliedCorrection] = []
    stale: list[StaleOverlay] = []
    for overlay in overlays:
        if overlay.section != section:
            continue
        if overlay.regex:
            markdown, count = profile_pattern("verification.overlays", overlay.find).subn(overlay.replace, markdown)
        else:
            count = markdown.count(overlay.find)
            markdown = markdown.replace(overlay.find, overlay.replace)
        if count:
            applied.append(AppliedCorrection(section=section, file=file, token=overlay.find, replacement=overlay.replace, kind="name", count=count, origin="overlay"))
        else:
            stale.append(StaleOverlay(section=section, find=overlay.find, regex=overlay.regex))
    return markdown, applied, stale


def stale_overlays_for_missing_sections(overlays: Iterable[Overlay], sections: set[str]) -> list[StaleOverlay]:
    """Overlays naming a section the tree no longer has."""
    return [
        StaleOverlay(section=o.section, find=o.find, regex=o.regex, reason="section not in the clause tree")
        for o in overlays if o.section not in sections
    ]


def _correction_kind(finding: Finding) -> str:
    return finding.kind if finding.kind in ("element", "attribute") else "any"


def suggested_corrections(findings: Iterable[Finding]) -> list[NameCorrection]:
    """A correction map for the actionable findings, ready to vet and paste into the profile.

    A garble that spells another real name is scoped to its kind and to the sections where the
    PDF showed it, because elsewhere the same spelling is that other name, correctly used."""
    merged: dict[tuple[str, str, str], set[str]] = {}
    for finding in findings:
        if finding.status != "actionable" or finding.suggestion is None:
            continue
        merged.setdefault((finding.token, finding.suggestion, _correction_kind(finding)), set()).add(finding.section if finding.in_vocabulary else "*")
    corrections = []
    for (garble, name, kind), sections in sorted(merged.items()):
        scoped = sorted(sections - {"*"}) if "*" not in sections else []
        corrections.append(NameCorrection(garble=garble, name=name, kind=kind, sections=scoped))  # type: ignore[arg-type]
    return corrections


def is_confirmed_by_the_pdf(finding: Finding) -> bool:
    """An actionable garble whose name the section's own pages print, and no other name as close:
    the PDF says both that the token is wrong and what it should be."""
    return finding.status == "actionable" and finding.suggestion is not None and not finding.alternatives


def confirmed_corrections(findings: Iterable[Finding]) -> list[NameCorrection]:
    """A correction for every garble the PDF disproves beyond doubt (`is_confirmed_by_the_pdf`),
    limited to its kind and to the section whose pages were the evidence: elsewhere the same
    spelling was judged against other pages (and may be right there)."""
    merged: dict[tuple[str, str, str], set[str]] = {}
    for finding in findings:
        if is_confirmed_by_the_pdf(finding):
            merged.setdefault((finding.token, finding.suggestion, _correction_kind(finding)), set()).add(finding.section)  # type: ignore[arg-type]
    return [
        NameCorrection(garble=garble, name=name, kind=kind, sections=sorted(sections))  # type: ignore[arg-type]
        for (garble, name, kind), sections in sorted(merged.items())
    ]
