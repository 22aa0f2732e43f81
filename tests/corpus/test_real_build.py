"""Real-document tier: whole builds of real bookmarked specifications with their schemas, as a new
user runs them, must reach the corpus with every blocking check passing where the output is right.

These documents show the failure classes that once stopped every real build: tables MinerU 4 flash
returns as text, clauses with no prose of their own, references into other documents, names whose
line-end hyphen the parser dropped. Reads ../shared/corpus (or $SPECMILL_CORPUS); skipped cleanly
when it is absent. Outputs go to pytest's temporary folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from schemas.links import LinkReport
from schemas.outline import Outline
from schemas.tree import ClauseTreeReport
from schemas.vocabulary import FindingsReport
from specmill_cli.main import main

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

# Two bookmarked specifications with schemas, small enough for CI (36 and 85 pages).
DOCUMENTS = ["odf13-packages", "genericode"]
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_COLUMN_GAPS = re.compile(r"\S {3,}\S.* {3,}\S")  # two or more wide gaps: a fixed-width table row


def _lines_outside_code(markdown: str):
    fence = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0]
        elif fence is not None and line.strip().startswith(fence * 3):
            fence = None
        elif fence is None:
            yield line


@pytest.fixture(scope="module", params=DOCUMENTS)
def built(request, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    name = request.param
    spec = corpus_dir / "specs" / name
    out = tmp_path_factory.mktemp(name)
    status = main(["build", str(spec / "spec.pdf"), "--out", str(out), "--schemas", str(spec / "schemas")])
    return name, out, status


def test_the_build_exits_0_with_every_blocking_check_passing(built):
    name, out, status = built
    summary = json.loads((out / "summary.json").read_text())
    failed = [f"{c['asset']}.{c['name']}" for c in summary["checks"] if c["blocking"] and not c["passed"]]
    assert status == 0 and summary["passed"] and not failed, f"{name}: exit {status}, failed blocking checks {failed}"
    assert (out / "corpus" / "index.md").is_file()


def test_every_outline_clause_has_its_file_and_no_clause_is_lost(built):
    _name, out, _status = built
    outline = Outline.model_validate_json((out / "outline.json").read_bytes())
    report = ClauseTreeReport.model_validate_json((out / "tree.json").read_bytes())
    assert not report.segmentation.missed
    with_file = {f.section for f in report.files if f.section and (out / "corpus" / f.path).is_file()}
    legitimately_empty = {e.section for e in report.empty_clauses if e.legitimately_empty}
    assert {e.clause_id for e in outline.entries} <= with_file | legitimately_empty
    assert not report.misplaced


def test_no_table_reaches_the_corpus_as_fixed_width_prose(built):
    _name, out, _status = built
    offenders = [
        f"{path.relative_to(out)}: {line.strip()[:60]}"
        for path in (out / "corpus").rglob("*.md")
        for line in _lines_outside_code(path.read_text(encoding="utf-8"))
        if not line.lstrip().startswith("|") and _COLUMN_GAPS.search(line)
    ]
    assert offenders == []


def test_links_resolve_and_no_garble_is_left_actionable(built):
    _name, out, _status = built
    links = LinkReport.model_validate_json((out / "links.json").read_bytes())
    inside = [r for r in links.references if r.unresolved_reason != "outside_document"]
    assert all(r.resolved_path for r in inside if r.unresolved_reason is None)
    findings = FindingsReport.model_validate_json((out / "findings.json").read_bytes())
    assert findings.with_status("actionable") == []
