"""Collect what a run did (stages, figures, checks, failed steps) into summary.json and a
one-screen text.

What blocks is Dagster's rule, applied once here: a check blocks when it is declared blocking,
failed, and failed at ERROR severity (dagster's execute_step raises DagsterAssetCheckFailedError
on exactly that). Any other failed check is a warning: reported, never an exit status of 1."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

EVIDENCE_SHOWN = 3  # evidence items per failed check on the terminal; report.md has them all
FIGURES_SHOWN = 3  # scalar metadata values per failed check on the terminal
ITEM_CHARS = 48  # one evidence item, compacted, on the terminal


def metadata_to_json(metadata: dict[str, Any]) -> dict[str, Any]:
    """Dagster MetadataValue objects -> plain JSON values."""
    plain = {}
    for key, value in metadata.items():
        raw = value.value if isinstance(value, dg.MetadataValue) else value
        if hasattr(raw, "path"):
            raw = str(raw.path)
        try:
            json.dumps(raw)
        except TypeError:
            raw = str(raw)
        plain[key] = raw
    return plain


def check_records(result: dg.ExecuteInProcessResult) -> list[dict[str, Any]]:
    """Every asset check evaluated in a run, as plain data."""
    return [
        {
            "name": evaluation.check_name,
            "asset": evaluation.asset_key.to_user_string(),
            "partition": evaluation.partition,
            "passed": evaluation.passed,
            "severity": evaluation.severity.value,
            "blocking": bool(evaluation.blocking),
            "metadata": metadata_to_json(dict(evaluation.metadata)),
        }
        for evaluation in result.get_asset_check_evaluations()
    ]


def blocks_the_build(check: dict[str, Any]) -> bool:
    """Dagster's rule (see the module docstring); bin/check-assets applies the same one."""
    return not check["passed"] and check["blocking"] and check["severity"] == "ERROR"


def check_label(check: dict[str, Any]) -> str:
    """asset[partition].check, the name a person greps report.md and the Dagster UI for."""
    where = f"[{check['partition']}]" if check["partition"] else ""
    return f"{check['asset']}{where}.{check['name']}"


@dataclass
class StepFailure:
    """A step of a run that failed, as plain data (it crosses process boundaries)."""

    stage: str
    step: str
    message: str  # the error's own message; its first line goes to the terminal
    details: str  # the error with its stack and causes: build.log, never the terminal
    # Dagster fails the step of a blocking check that failed; the check's own line says more.
    blocking_check: bool

    @property
    def headline(self) -> str:
        first_line = self.message.strip().splitlines()[0] if self.message.strip() else "unknown error"
        return f"stage {self.stage} failed: {first_line}"


@dataclass
class RunSummary:
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    failures: list[StepFailure] = field(default_factory=list)
    stopped_after: str | None = None  # the stage a failure stopped the build after (None: not stopped)

    def add_stage(self, name: str, seconds: float, figures: dict[str, Any]) -> None:
        stage = self.stages.setdefault(name, {"seconds": 0.0, "figures": {}})
        stage["seconds"] = round(stage["seconds"] + seconds, 3)
        stage["figures"].update(figures)

    @property
    def failed_blocking(self) -> list[dict[str, Any]]:
        return [check for check in self.checks if blocks_the_build(check)]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Failed checks that do not block: non-blocking ones, and any that failed at WARN."""
        return [check for check in self.checks if not check["passed"] and not blocks_the_build(check)]

    @property
    def crashed_steps(self) -> list[StepFailure]:
        """Failed steps other than blocking checks: an asset (or a check) raised."""
        return [failure for failure in self.failures if not failure.blocking_check]

    @property
    def passed(self) -> bool:
        return not self.failed_blocking and not self.crashed_steps

    def to_json(self) -> dict[str, Any]:
        return {
            "stages": self.stages,
            "checks": self.checks,
            "failed_steps": [
                {"stage": f.stage, "step": f.step, "message": f.message, "blocking_check": f.blocking_check} for f in self.failures
            ],
            "stopped_after": self.stopped_after,
            "passed": self.passed,
        }

    def headline_figures(self, stage: str, limit: int = 8) -> list[tuple[str, Any]]:
        """A stage's figures without the per-batch ones (bNN.*), asset prefixes dropped."""
        figures = []
        for key, value in self.stages[stage]["figures"].items():
            if re.match(r"b\d+\.", key) or key.endswith(("sha256", "_path")):
                continue
            figures.append((key.split(".", 1)[-1], value))
        return figures[:limit]

    def render_text(self) -> str:
        """The one-screen summary: stages, the check count, one line per failed step and check."""
        lines = ["stage     seconds  figures"]
        for name, stage in self.stages.items():
            figures = ", ".join(f"{k}={v}" for k, v in self.headline_figures(name))
            lines.append(f"{name:<9} {stage['seconds']:>7.1f}  {figures}")
        lines.append(self._check_count())
        lines += [f"  {failure.headline}" for failure in self.crashed_steps]
        lines += [f"  FAILED  {failed_check_line(check)}" for check in self.failed_blocking]
        lines += [f"  WARNING {failed_check_line(check)} (not blocking)" for check in self.warnings]
        return "\n".join(lines)

    def _check_count(self) -> str:
        passed = sum(check["passed"] for check in self.checks)
        count = f"checks: {passed}/{len(self.checks)} passed"
        if self.failed_blocking:
            count += f", {len(self.failed_blocking)} blocking FAILED"
        if self.warnings:
            count += f", {len(self.warnings)} failed without blocking (warnings)"
        return count


def failed_check_line(check: dict[str, Any]) -> str:
    """`asset.check: key figures; e.g. first evidence items` on one line."""
    figures, evidence = split_metadata(check["metadata"])
    line = check_label(check)
    shown = [f"{key}={value}" for key, value in figures[:FIGURES_SHOWN]]
    if shown:
        line += ": " + ", ".join(shown)
    if evidence:
        name, items = evidence[0]
        more = f" (+{len(items) - EVIDENCE_SHOWN} more)" if len(items) > EVIDENCE_SHOWN else ""
        line += f"; {name}: " + "; ".join(compact(item) for item in items[:EVIDENCE_SHOWN]) + more
    return line


def split_metadata(metadata: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, list]]]:
    """A check's metadata as (key figures, evidence lists): scalars are the figures; each
    non-empty list (or dict, flattened to `key: value` items) is evidence. Multi-line text
    (a Markdown table) is neither: it is for report.md and the UI."""
    figures, evidence = [], []
    for key, value in metadata.items():
        if isinstance(value, (int, float, bool)) or (isinstance(value, str) and "\n" not in value):
            figures.append((key, value))
        elif items := evidence_items(value):
            evidence.append((key, items))
    return figures, evidence


def evidence_items(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [f"{key}: {compact(item)}" for key, item in value.items() if item not in (None, [], {}, "")]
    return []


def compact(item: Any) -> str:
    """One evidence item in a few words: a record's non-empty scalar values, shortened."""
    if isinstance(item, dict):
        text = " ".join(str(value) for value in item.values() if isinstance(value, (str, int, float)) and value != "")
    elif isinstance(item, list):
        text = ", ".join(compact(value) for value in item)
    else:
        text = str(item)
    text = " ".join(text.split())
    return text if len(text) <= ITEM_CHARS else text[: ITEM_CHARS - 1] + "…"
