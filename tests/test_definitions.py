"""The asset graph as a snapshot: an accidental change of keys, deps, partitions or checks shows up here."""

import dagster as dg

import definitions


def graph_snapshot(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    snapshot = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        snapshot[key.to_user_string()] = {
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "partitioned": node.partitions_def is not None,
            "checks": sorted(check.name for check in node.check_keys),
        }
    return snapshot


def test_asset_graph_snapshot():
    snapshot = graph_snapshot(definitions.defs)
    expected_foundation = {
        "source_pdf": {"deps": [], "partitioned": False, "checks": []},
        "batch_plan": {"deps": ["source_pdf"], "partitioned": False, "checks": ["plan_tiles_document"]},
        "parsed_batch": {"deps": ["batch_plan"], "partitioned": True, "checks": ["batch_covers_planned_pages"]},
    }
    for key, expected in expected_foundation.items():
        assert snapshot[key] == expected


def test_definitions_load_and_jobs_resolve():
    defs = definitions.defs
    for name in (definitions.PLAN_JOB, definitions.PARSE_JOB):
        assert defs.resolve_job_def(name) is not None
    parse_job = defs.resolve_job_def(definitions.PARSE_JOB)
    assert parse_job.partitions_def is not None and parse_job.partitions_def.name == "batches"


def test_core_library_never_imports_dagster():
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, specmill\n"
        "for m in pkgutil.walk_packages(specmill.__path__, 'specmill.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in ('dagster', 'mineru', 'great_expectations', 'boto3', 'opentelemetry') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == ""
