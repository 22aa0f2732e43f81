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
ITEM_CHARS = 60  # one evidence item, compacted, on the terminal


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


def blocks_the_build(passed: bool, blocking: bool, severity: str) -> bool:
    """Dagster's rule (see the module docstring), the one place it is written: summary.json,
    the exit status and bin/check-assets all ask this."""
    return not passed and blocking and severity == dg.AssetCheckSeverity.ERROR.value


def check_blocks(check: dict[str, Any]) -> bool:
    return blocks_the_build(check["passed"], check["blocking"], check["severity"])


def check_label(check: dict[str, Any]) -> str:
    """asset[partition].check, the name a person greps report.md and the Dagster UI for."""
    where = f"[{check['partition']}]" if check["partition"] else ""
    return f"{check['asset']}{where}.{check['name']}"


@dataclass
class StepFailure:
    """A step of a run that failed, as plain data (it crosses process boundaries)."""

    step: str
    message: str  # the error's own message; its first line goes to the terminal
    details: str  # the error with its stack and causes: build.log, never the terminal
    # Dagster fails the step of a blocking check that failed; the check's own line says more.
    blocking_check: bool
    stage: str = ""  # set when the run is recorded: the run itself does not know its stage
    # The document profile's fault, found only while a stage ran (a regex that ran past its
    # time limit on this document's text): bad input, exit 2, like a profile refused at load.
    profile_error: bool = False

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
    logged_warnings: list[str] = field(default_factory=list)  # `[stage] step: message`, for build.log
    interrupted: str | None = None  # the signal that stopped the build (SIGINT, SIGTERM), if one did

    def add_stage(self, name: str, seconds: float, figures: dict[str, Any]) -> None:
        stage = self.stages.setdefault(name, {"seconds": 0.0, "figures": {}})
        stage["seconds"] = round(stage["seconds"] + seconds, 3)
        stage["figures"].update(figures)

    @property
    def failed_blocking(self) -> list[dict[str, Any]]:
        return [check for check in self.checks if check_blocks(check)]

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """Failed checks that do not block: non-blocking ones, and any that failed at WARN."""
        return [check for check in self.checks if not check["passed"] and not check_blocks(check)]

    @property
    def crashed_steps(self) -> list[StepFailure]:
        """Failed steps other than blocking checks: an asset (or a check) raised."""
        return [failure for failure in self.failures if not failure.blocking_check]

    @property
    def passed(self) -> bool:
        return not self.failed_blocking and not self.crashed_steps and self.interrupted is None

    def to_json(self) -> dict[str, Any]:
        return {
            "stages": self.stages,
            "checks": self.checks,
            "failed_steps": [
                {"stage": f.stage, "step": f.step, "message": f.message, "blocking_check": f.blocking_check} for f in self.failures
            ],
            "stopped_after": self.stopped_after,
            "interrupted": self.interrupted,
            "passed": self.passed,
        }

    def build_log(self) -> str:
        """DIR/build.log: what the steps logged at WARNING or above, and every failed step with
        its stack trace (the terminal shows one line each)."""
        lines = [f"# specmill build log: {len(self.logged_warnings)} warning(s), {len(self.failures)} failed step(s)", ""]
        lines += self.logged_warnings
        for failure in self.failures:
            lines += ["", f"[{failure.stage}] step {failure.step} failed:", failure.details.rstrip() or failure.message]
        return "\n".join(lines) + "\n"

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
    """`asset.check: key figures; evidence: first items (+N more)` on one line."""
    figures, evidence = split_metadata(check["metadata"])
    key_figure, key_evidence = counted_evidence(figures, evidence)
    if key_figure is not None:
        figures = [key_figure] + [figure for figure in figures if figure is not key_figure]
    line = check_label(check)
    if figures:
        line += ": " + ", ".join(f"{key}={value}" for key, value in figures[:FIGURES_SHOWN])
    name, items = key_evidence or (evidence[0] if evidence else (None, []))
    if items:
        more = f" (+{len(items) - EVIDENCE_SHOWN} more)" if len(items) > EVIDENCE_SHOWN else ""
        line += f"; {name}: " + "; ".join(compact(item) for item in items[:EVIDENCE_SHOWN]) + more
    return line


def counted_evidence(figures: list[tuple[str, Any]], evidence: list[tuple[str, list]]):
    """The figure that counts what failed and the evidence it counts, when a check names them
    alike (`missing` and `missing_clauses`, `dangling` and `dangling_links`): those say what
    failed, before context figures (files, barrels, ...) and other evidence. (None, None) else."""
    for figure in figures:
        key, value = figure
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value:
            continue
        for listed in evidence:
            if _same_leading_words(key, listed[0]):
                return figure, listed
    return None, None


def _same_leading_words(first: str, second: str) -> bool:
    first_words, second_words = first.split("_"), second.split("_")
    shared = min(len(first_words), len(second_words))
    return first_words[:shared] == second_words[:shared]


def split_metadata(metadata: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, list]]]:
    """A check's metadata as (figures, evidence lists): scalars are the figures; each non-empty
    list (or dict, flattened to `key: value` items) is evidence. Multi-line text (a Markdown
    table) is neither: it is for report.md and the UI."""
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
    """One evidence item in a few words: a record's `key=value` scalars, shortened."""
    if isinstance(item, dict):
        text = " ".join(f"{key}={value}" for key, value in item.items() if isinstance(value, (str, int, float)) and value != "")
    elif isinstance(item, list):
        text = ", ".join(compact(value) for value in item)
    else:
        text = str(item)
    text = " ".join(text.split())
    return text if len(text) <= ITEM_CHARS else text[: ITEM_CHARS - 1] + "…"
