"""The corrected_corpus stage as one pure function: verify, correct, replace schema dumps, apply
overlays, verify again, and report every finding with its final status.

Two kinds of correction: the profile's vetted map, and the garbles the PDF disproves beyond
doubt (its pages print the name, and no other name as close: `confirmed_corrections`). What
stays actionable is a garble the PDF disproves without saying what it should be: the profile
has to decide it, and until then the build is blocked."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from schemas.verification_profile import NameCorrection, VerificationRules
from schemas.vocabulary import AppliedCorrection, Finding, FindingsReport, SchemaReplacementReport, StaleOverlay, Vocabulary
from specmill.verify.corrections import (
    apply_overlays, confirmed_corrections, correct_names, stale_overlays_for_missing_sections, suggested_corrections,
)
from specmill.verify.schema_dump import AuthoritativeSchemas, printed_in_text_layer, replace_schema_dump
from specmill.verify.alignment import PageSequence
from specmill.verify.check import ClauseFile, NameIndex, PageWords, verify_files
from specmill.verify.navigation import navigation_spans
from specmill.verify.tokens import NameTokenCache, xml_prefixes

STATUSES = ("actionable", "corrected", "suspect", "benign")


@dataclass
class CorrectedCorpus:
    files: dict[str, str]  # changed or new files: relative POSIX path -> Markdown
    report: FindingsReport


def _title(markdown: str, fallback: str) -> str:
    match = re.search(r"^#{1,6}\s+(.+)$", markdown, re.MULTILINE)
    return match.group(1).strip() if match else fallback


def _how_corrected(finding: Finding, applied: Sequence[AppliedCorrection]) -> str:
    """What made a finding go away: a correction of its token in its section (the first one
    applied says by whom), else the schema-dump replacement or an overlay rewrote its text."""
    for correction in applied:
        if correction.origin != "overlay" and correction.section == finding.section and correction.token == finding.token:
            by = "from the PDF's own pages" if correction.origin == "confirmed" else "by the profile"
            return f"corrected to '{correction.replacement}' {by}"
    return "corrected (its text was replaced)"


def correct_corpus(
    files: Sequence[ClauseFile],
    vocabulary: Vocabulary,
    rules: VerificationRules,
    *,
    page_words: PageWords | None = None,
    page_sequence: PageSequence | None = None,
    schemas: AuthoritativeSchemas | None = None,
    page_texts: Sequence[str] | None = None,
) -> CorrectedCorpus:
    started = time.perf_counter()
    index = NameIndex(vocabulary, rules)
    prefixes = set().union(*(xml_prefixes(f.markdown) for f in files)) if files else set()
    # Both passes share the vocabulary index and the tokens of every text: most files come out
    # of correction unchanged, so the second pass re-reads only the changed and new ones.
    tokens = NameTokenCache()
    before, _ = verify_files(files, vocabulary, rules, page_words, known_prefixes=prefixes, index=index, token_cache=tokens, page_sequence=page_sequence)
    profile_corrections = list(rules.corrections)
    confirmed: list[NameCorrection] = confirmed_corrections(before) if rules.apply_confirmed else []
    applied: list[AppliedCorrection] = []
    stale: list[StaleOverlay] = stale_overlays_for_missing_sections(rules.overlays, {f.section for f in files})
    replacement = SchemaReplacementReport()
    changed: dict[str, str] = {}
    final_files: list[ClauseFile] = []
    for clause_file in files:
        text = clause_file.markdown
        for corrections, origin in ((profile_corrections, "profile"), (confirmed, "confirmed")):
            text, done = correct_names(
                text, corrections, section=clause_file.section, file=clause_file.path, known_prefixes=prefixes, origin=origin,
                keep=navigation_spans(text) if corrections else (),
            )
            applied.extend(done)
        outputs = {clause_file.path: text}
        if schemas is not None:
            result = replace_schema_dump(
                text, file=clause_file.path, section=clause_file.section, title=_title(text, clause_file.section), schemas=schemas,
                min_declarations=rules.schema_dump_min_declarations, similarity=rules.declaration_similarity,
            )
            if result is not None:
                outputs, section_replacement = result
                replacement.sections.append(section_replacement)
        section_text, overlay_applied, overlay_stale = apply_overlays(outputs[clause_file.path], rules.overlays, section=clause_file.section, file=clause_file.path)
        outputs[clause_file.path] = section_text
        applied.extend(overlay_applied)
        stale.extend(overlay_stale)
        for path, content in outputs.items():
            if path == clause_file.path and content == clause_file.markdown:
                final_files.append(clause_file)
                continue
            changed[path] = content
            final_files.append(replace(clause_file, path=path, markdown=content))
    after, figures = verify_files(final_files, vocabulary, rules, page_words, known_prefixes=prefixes, index=index, token_cache=tokens, page_sequence=page_sequence)
    remaining = {(f.section, f.token, f.kind) for f in after}
    corrected = [
        f.model_copy(update={"status": "corrected", "reason": f"{f.reason}; {_how_corrected(f, applied)}"})
        for f in before
        if f.status in ("actionable", "suspect") and (f.section, f.token, f.kind) not in remaining
    ]
    findings: list[Finding] = sorted(after + corrected, key=lambda f: (STATUSES.index(f.status), f.file, f.token))
    for section in replacement.sections:
        replacement.declarations_total += len(section.declarations)
        replacement.declarations_replaced += section.replaced
        replacement.unmatched.extend(d for d in section.declarations if d.match == "unmatched")
    if schemas is not None and schemas.by_file and page_texts is not None:
        _count_printed_declarations(replacement, printed_in_text_layer(page_texts, schemas))
    counts = {status: sum(1 for f in findings if f.status == status) for status in STATUSES}
    figures = figures.model_copy(update={"seconds": round(time.perf_counter() - started, 3)})
    report = FindingsReport(
        findings=findings, counts=counts, corrections=applied, stale_overlays=stale, schema_replacement=replacement,
        replacement_rate=replacement.rate, figures=figures, vocabulary_counts=vocabulary.counts(),
    )
    return CorrectedCorpus(files=changed, report=report)


def _count_printed_declarations(replacement: SchemaReplacementReport, printed: set[tuple[str, str]]) -> None:
    replaced = {(d.kind, d.matched_name) for section in replacement.sections for d in section.declarations if d.match != "unmatched"}
    missed = sorted(printed - replaced)
    replacement.printed_in_pdf = len(printed)
    replacement.printed_in_pdf_replaced = len(printed) - len(missed)
    replacement.printed_in_pdf_missed = [f"{kind} {name}" for kind, name in missed[:50]]


def findings_markdown(report: FindingsReport, *, limit: int = 200) -> str:
    """The human summary written next to findings.json."""
    lines = ["# Name verification findings", ""]
    lines.append("| status | findings |")
    lines.append("| --- | --- |")
    for status in STATUSES:
        lines.append(f"| {status} | {report.counts.get(status, 0)} |")
    rate = report.replacement_rate
    figures = report.figures
    lines += [
        "",
        f"- files checked: {figures.files_checked}; name tokens: {figures.tokens_checked} ({figures.distinct_tokens} distinct); "
        f"PDF pages read: {figures.pages_extracted}",
        f"- corrections applied: {sum(c.count for c in report.corrections)} ({len(report.corrections)} distinct)",
        f"- stale overlays: {len(report.stale_overlays)}",
        f"- schema-dump replacement: {report.schema_replacement.declarations_replaced} of {report.schema_replacement.declarations_total} declarations"
        + (f" ({rate:.1%})" if rate is not None else " (no section prints a schema)"),
    ]
    if report.schema_replacement.printed_in_pdf is not None:
        lines.append(
            f"- declarations of the schema files the PDF's text layer prints: {report.schema_replacement.printed_in_pdf}, "
            f"replaced: {report.schema_replacement.printed_in_pdf_replaced}"
        )
    for status in ("actionable", "suspect", "corrected", "benign"):
        chosen = report.with_status(status)
        if not chosen:
            continue
        lines += ["", f"## {status} ({len(chosen)})", "", "| token | suggestion | kind | section | file | PDF pages | reason |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for f in chosen[:limit]:
            # Numbered from 1, as a PDF viewer shows them (findings.json keeps 0-based indexes).
            pages = ", ".join(str(p + 1) for p in f.evidence_pages[:6]) + ("…" if len(f.evidence_pages) > 6 else "")
            lines.append(f"| `{f.token}` | `{f.suggestion or ''}` | {f.kind} | {f.section} | {f.file} | {pages} | {f.reason.replace('|', '/')} |")
        if len(chosen) > limit:
            lines.append(f"| … {len(chosen) - limit} more in findings.json | | | | | | |")
    if report.stale_overlays:
        lines += ["", "## stale overlays", ""] + [f"- section {s.section}: `{s.find}` ({s.reason})" for s in report.stale_overlays]
    if report.schema_replacement.unmatched:
        lines += ["", "## declarations kept as parsed", ""] + [f"- {d.kind} `{d.name}`" for d in report.schema_replacement.unmatched[:limit]]
    actionable = report.with_status("actionable")
    if actionable:
        lines += ["", "## suggested profile corrections (vet, then add under verification.corrections)", "", "```yaml"]
        alternatives = {(f.token, f.suggestion): f.alternatives for f in actionable if f.alternatives}
        for correction in suggested_corrections(actionable):
            scope = f", sections: {correction.sections}" if correction.sections else ""
            other = alternatives.get((correction.garble, correction.name))
            note = f"  # the pages also print {', '.join(other)}: choose" if other else ""
            lines.append(f"- {{garble: {correction.garble}, name: {correction.name}, kind: {correction.kind}{scope}}}{note}")
        lines.append("```")
    return "\n".join(lines) + "\n"
