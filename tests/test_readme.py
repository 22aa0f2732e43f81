"""The README says what the code location does: its table of asset checks is held to the
definitions, so a check added, renamed, moved or made (non-)blocking shows up here."""

import definitions
from tests.conftest import REPO_ROOT

CHECKS_HEADER = "| check | asset | blocking | fails when |"


def readme_checks() -> dict[str, tuple[str, bool]]:
    """{check: (asset, blocking)} from the README's checks table."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(CHECKS_HEADER) + 2  # past the header and its |---| row
    rows = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        check, asset, blocking, _ = (cell.strip() for cell in line.strip("|").split("|", 3))
        assert blocking in ("yes", "no"), line
        rows[check.strip("`")] = (asset.strip("`"), blocking == "yes")
    return rows


def defined_checks() -> dict[str, tuple[str, bool]]:
    graph = definitions.defs.resolve_asset_graph()
    return {
        key.name: (key.asset_key.to_user_string(), graph.get_check_spec(key).blocking)
        for key in graph.asset_check_keys
    }


def test_the_readme_lists_every_asset_check_with_its_asset_and_whether_it_blocks():
    assert readme_checks() == defined_checks()

