"""Checks of the corrected corpus: no actionable garble (blocking), no stale overlay (warn),
schema-dump replacement rate at or above the profile's threshold."""

import dagster as dg

from assets.corrected import corrected_corpus, verification_rules
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.artifacts import FINDINGS
from schemas.vocabulary import FindingsReport
from specmill.source.page_numbers import for_people

_EVIDENCE = 50


@dg.asset_check(asset=corrected_corpus, blocking=True)
def corrected_corpus_has_no_actionable_garbles(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every name the PDF itself contradicts is corrected. The stage corrects those its pages settle
    (they print the name, and no other as close); what stays actionable is a garble they cannot
    settle (two names as close: see each finding's alternatives), or any garble when the profile
    sets apply_confirmed: false. Add the vetted correction to the profile's
    verification.corrections (findings.md suggests them), or declare the name benign."""
    findings = store.read_model(FINDINGS, FindingsReport)
    actionable = findings.with_status("actionable")
    return dg.AssetCheckResult(
        passed=not actionable,
        metadata={
            "actionable": len(actionable),
            "corrected": findings.counts.get("corrected", 0),
            "corrected_from_the_pdf": sum(1 for c in findings.corrections if c.origin == "confirmed"),
            "suspect": findings.counts.get("suspect", 0),
            "actionable_findings": dg.MetadataValue.json([for_people(f.model_dump()) for f in actionable[:_EVIDENCE]]),
        },
    )


@dg.asset_check(asset=corrected_corpus)
def corrected_corpus_has_no_stale_overlay(store: ArtifactStore) -> dg.AssetCheckResult:
    """An overlay whose find text no longer occurs has rotted in the profile: remove or update it."""
    findings = store.read_model(FINDINGS, FindingsReport)
    stale = findings.stale_overlays
    return dg.AssetCheckResult(
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"stale_overlays": len(stale), "stale": dg.MetadataValue.json([s.model_dump() for s in stale[:_EVIDENCE]])},
    )


@dg.asset_check(asset=corrected_corpus)
def corrected_corpus_replaces_schema_dumps(settings: SpecmillSettings, store: ArtifactStore) -> dg.AssetCheckResult:
    """Printed schema listings are replaced by the authoritative text at or above the threshold.
    The denominator is the PDF's own evidence: the schema files' top-level declarations that its
    text layer prints, so a listing the reader never found fails the check rather than passing
    on nothing (it passes, saying so, when the PDF prints no declaration of the schemas)."""
    findings = store.read_model(FINDINGS, FindingsReport)
    threshold = verification_rules(settings, store).replacement_threshold
    replacement = findings.schema_replacement
    rate = replacement.rate
    return dg.AssetCheckResult(
        passed=rate is None or rate >= threshold,
        metadata={
            "replacement_rate": rate if rate is not None else "no schema listing",
            "threshold": threshold,
            "printed_in_pdf": replacement.printed_in_pdf if replacement.printed_in_pdf is not None else "no schemas given",
            "printed_in_pdf_replaced": replacement.printed_in_pdf_replaced,
            "printed_in_pdf_missed": dg.MetadataValue.json(replacement.printed_in_pdf_missed[:_EVIDENCE]),
            "declarations_printed": replacement.declarations_total,
            "declarations_replaced": replacement.declarations_replaced,
            "unmatched": dg.MetadataValue.json([d.model_dump() for d in replacement.unmatched[:_EVIDENCE]]),
        },
    )
