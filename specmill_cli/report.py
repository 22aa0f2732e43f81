"""DIR/report.md: the run summary for people, with the plan table, the top unresolved references
and the verification findings."""

from pathlib import Path

from assets import artifacts
from assets.corrected import FINDINGS_MARKDOWN
from assets.crosslinks import LINKS_REPORT, unresolved_table
from assets.plan import plan_table
from schemas.links import LinkReport
from schemas.plan import BatchPlan
from specmill_cli.summary import RunSummary

UNRESOLVED_SHOWN = 20


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_report(summary: RunSummary, out: Path, title: str) -> str:
    verdict = "all blocking checks passed" if not summary.failed_blocking else f"{len(summary.failed_blocking)} blocking check(s) FAILED"
    lines = [f"# specmill report: {title}", "", f"**{verdict}**", "", "## Stages", "", "| stage | seconds | figures |", "|---|---|---|"]
    for name, stage in summary.stages.items():
        figures = ", ".join(f"{key}={value}" for key, value in summary.headline_figures(name))
        lines.append(f"| {name} | {stage['seconds']:.1f} | {_cell(figures)} |")
    lines += ["", "## Checks", "", "| check | asset | partition | passed | severity |", "|---|---|---|---|---|"]
    for check in summary.checks:
        lines.append(
            f"| {check['name']} | {check['asset']} | {check['partition'] or ''} | {'yes' if check['passed'] else '**no**'} | {check['severity']} |"
        )
    plan_path = out / artifacts.PLAN
    if plan_path.exists():
        lines += ["", "## Batch plan", "", plan_table(BatchPlan.model_validate_json(plan_path.read_bytes()))]
    links_path = out / LINKS_REPORT
    if links_path.exists():
        links = LinkReport.model_validate_json(links_path.read_bytes())
        lines += [
            "", "## Cross-references", "",
            f"{links.references_found} found, {links.resolved} resolved (rate {links.resolution_rate:.3f}), "
            f"{links.unresolved} unresolved: {links.unresolved_by_reason or 'none'}.",
        ]
        if links.unresolved:
            lines += ["", f"Top unresolved references (first {UNRESOLVED_SHOWN}):", "", unresolved_table(links, UNRESOLVED_SHOWN)]
    findings_path = out / FINDINGS_MARKDOWN
    if findings_path.exists():
        findings = findings_path.read_text(encoding="utf-8")
        lines += ["", "## Verification findings", "", findings.split("\n", 1)[1].strip() if findings.startswith("# ") else findings]
    return "\n".join(lines) + "\n"
