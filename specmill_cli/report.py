"""DIR/report.md: the run summary for people, with the plan table, the top unresolved references
and the verification findings; every failed check with its whole evidence, which the terminal
only samples."""

import json
from typing import Any

from schemas import artifacts
from schemas.artifacts import FINDINGS_MARKDOWN, LINKS_REPORT
from schemas.links import LinkReport
from schemas.plan import BatchPlan
from specmill.links.tables import unresolved_table
from specmill.plan.table import plan_table
from specmill_cli.summary import RunSummary, check_label

UNRESOLVED_SHOWN = 20
FAILED_CHECKS_HEADING = "## Failed checks"


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def verdict(summary: RunSummary) -> str:
    parts = []
    if summary.failed_blocking:
        parts.append(f"{len(summary.failed_blocking)} blocking check(s) FAILED")
    if summary.crashed_steps:
        parts.append(f"{len(summary.crashed_steps)} step(s) FAILED")
    if summary.interrupted:
        parts.append(f"build interrupted by {summary.interrupted}")
    if not parts:
        parts.append("all blocking checks passed")
    if summary.warnings:
        parts.append(f"{len(summary.warnings)} non-blocking check(s) failed (warnings)")
    if summary.stopped_after:
        parts.append(f"build stopped after stage {summary.stopped_after}")
    return "; ".join(parts)


def render_report(summary: RunSummary, store, title: str) -> str:
    """`store`: the build's ArtifactStore (a folder or a bucket), read for the plan, the link
    report and the findings when the build got that far."""
    lines = [f"# specmill report: {title}", "", f"**{verdict(summary)}**"]
    lines += ["", "## Stages", "", "| stage | seconds | figures |", "|---|---|---|"]
    for name, stage in summary.stages.items():
        figures = ", ".join(f"{key}={value}" for key, value in summary.headline_figures(name))
        lines.append(f"| {name} | {stage['seconds']:.1f} | {_cell(figures)} |")
    lines += _failed_steps_section(summary)
    lines += ["", "## Checks", "", "| check | asset | partition | passed | severity | blocking |", "|---|---|---|---|---|---|"]
    for check in summary.checks:
        lines.append(
            f"| {check['name']} | {check['asset']} | {check['partition'] or ''} | {'yes' if check['passed'] else '**no**'} "
            f"| {check['severity']} | {'yes' if check['blocking'] else 'no'} |"
        )
    lines += _failed_checks_section(summary)
    if store.exists(artifacts.PLAN):
        lines += ["", "## Batch plan", "", plan_table(store.read_model(artifacts.PLAN, BatchPlan))]
    if store.exists(LINKS_REPORT):
        links = store.read_model(LINKS_REPORT, LinkReport)
        lines += [
            "", "## Cross-references", "",
            f"{links.references_found} found, {links.resolved} resolved (rate {links.resolution_rate:.3f}), "
            f"{links.unresolved} unresolved: {links.unresolved_by_reason or 'none'}.",
        ]
        if links.unresolved:
            lines += ["", f"Top unresolved references (first {UNRESOLVED_SHOWN}):", "", unresolved_table(links, UNRESOLVED_SHOWN)]
    if store.exists(FINDINGS_MARKDOWN):
        findings = store.read_bytes(FINDINGS_MARKDOWN).decode("utf-8")
        lines += ["", "## Verification findings", "", findings.split("\n", 1)[1].strip() if findings.startswith("# ") else findings]
    return "\n".join(lines) + "\n"


def _failed_steps_section(summary: RunSummary) -> list[str]:
    if not summary.crashed_steps:
        return []
    lines = ["", "## Failed steps", "", "Their stack traces are in `build.log`.", ""]
    return lines + [f"- `{failure.step}` (stage {failure.stage}): {_cell(failure.message.strip())}" for failure in summary.crashed_steps]


def _failed_checks_section(summary: RunSummary) -> list[str]:
    """Each failed check with all its metadata: what the terminal's one line per check samples."""
    failed = [(check, "blocking") for check in summary.failed_blocking] + [(check, "warning, not blocking") for check in summary.warnings]
    if not failed:
        return []
    lines = ["", FAILED_CHECKS_HEADING]
    for check, kind in failed:
        lines += ["", f"### {check_label(check)} ({kind})", ""]
        lines += _metadata_lines(check["metadata"])
    return lines


def _metadata_lines(metadata: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in metadata.items():
        if isinstance(value, str) and "\n" in value:  # Markdown the check wrote for the UI: shown as is
            lines += [f"- {key}:", "", value, ""]
        elif isinstance(value, (list, dict)):
            lines += [f"- {key}:", "", "```json", json.dumps(value, indent=2, ensure_ascii=False), "```", ""]
        else:
            lines.append(f"- {key}: {value}")
    return lines
