"""The house by stage: specmill/ is a few shared modules and one package per stage, each package
saying in its docstring what it owns (README, Layout)."""

import ast
from pathlib import Path

SPECMILL = Path(__file__).resolve().parent.parent / "specmill"
LOOSE_MODULES_AT_MOST = 6


def test_specmill_keeps_at_most_six_loose_modules():
    loose = sorted(p.name for p in SPECMILL.glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= LOOSE_MODULES_AT_MOST, loose


def test_every_package_of_specmill_says_what_it_owns():
    packages = [p for p in SPECMILL.rglob("__init__.py") if "__pycache__" not in p.parts]
    assert len(packages) >= 9
    undocumented = [str(p.parent.relative_to(SPECMILL.parent)) for p in packages if not ast.get_docstring(ast.parse(p.read_text()))]
    assert undocumented == []


def test_the_cli_reaches_the_assets_and_checks_only_through_the_code_location():
    """specmill_cli reads artifacts through the ArtifactStore and the catalogue in schemas/, and
    the graph through definitions.py: never an asset or check module itself."""
    cli = SPECMILL.parent / "specmill_cli"
    imported = set()
    for path in cli.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert "definitions" in imported  # the scan sees the CLI's imports
    assert imported.isdisjoint({"assets", "checks"})
