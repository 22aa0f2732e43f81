"""Collect what a run did (stages, figures, checks) into summary.json and a one-screen text."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

import dagster as dg


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


@dataclass
class RunSummary:
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def add_stage(self, name: str, seconds: float, figures: dict[str, Any]) -> None:
        stage = self.stages.setdefault(name, {"seconds": 0.0, "figures": {}})
        stage["seconds"] = round(stage["seconds"] + seconds, 3)
        stage["figures"].update(figures)

    @property
    def failed_blocking(self) -> list[dict[str, Any]]:
        return [check for check in self.checks if not check["passed"] and check["severity"] == "ERROR"]

    def to_json(self) -> dict[str, Any]:
        return {"stages": self.stages, "checks": self.checks, "passed": not self.failed_blocking}

    def headline_figures(self, stage: str, limit: int = 8) -> list[tuple[str, Any]]:
        """A stage's figures without the per-batch ones (bNN.*), asset prefixes dropped."""
        figures = []
        for key, value in self.stages[stage]["figures"].items():
            if re.match(r"b\d+\.", key) or key.endswith(("sha256", "_path")):
                continue
            figures.append((key.split(".", 1)[-1], value))
        return figures[:limit]

    def render_text(self) -> str:
        lines = ["stage     seconds  figures"]
        for name, stage in self.stages.items():
            figures = ", ".join(f"{k}={v}" for k, v in self.headline_figures(name))
            lines.append(f"{name:<9} {stage['seconds']:>7.1f}  {figures}")
        passed = sum(check["passed"] for check in self.checks)
        lines.append(f"checks: {passed}/{len(self.checks)} passed")
        for check in self.checks:
            if not check["passed"]:
                where = f"[{check['partition']}]" if check["partition"] else ""
                lines.append(f"  FAILED {check['asset']}{where}.{check['name']} ({check['severity']}): {check['metadata']}")
        return "\n".join(lines)
