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


EXPECTED_GRAPH = {
    "source_pdf": {"deps": [], "partitioned": False, "checks": []},
    "batch_plan": {"deps": ["source_pdf"], "partitioned": False, "checks": ["plan_tiles_document"]},
    "parsed_batch": {"deps": ["batch_plan"], "partitioned": True, "checks": ["batch_covers_planned_pages"]},
    "document_blocks": {
        "deps": ["parsed_batch"], "partitioned": False, "checks": ["batches_contiguous", "block_table_expectations"],
    },
    "clause_tree": {
        "deps": ["document_blocks"],
        "partitioned": False,
        "checks": [
            "clause_tree_blocks_within_clause_pages", "clause_tree_files_reachable", "clause_tree_has_every_clause",
            "clause_tree_no_empty_code_fence", "clause_tree_tables_keep_their_columns", "clause_tree_tables_rectangular",
            "section_table_expectations",
        ],
    },
    "crosslink_graph": {
        "deps": ["clause_tree"],
        "partitioned": False,
        "checks": [
            "crosslinks_do_not_dangle", "crosslinks_point_at_their_clause", "crosslinks_resolution_rate", "crosslinks_survive_a_copy",
        ],
    },
    "xsd_vocabulary": {"deps": [], "partitioned": False, "checks": []},
    "corrected_corpus": {
        "deps": ["crosslink_graph", "xsd_vocabulary"],
        "partitioned": False,
        "checks": [
            "corrected_corpus_has_no_actionable_garbles", "corrected_corpus_has_no_stale_overlay",
            "corrected_corpus_replaces_schema_dumps",
        ],
    },
}


def test_asset_graph_snapshot():
    assert graph_snapshot(definitions.defs) == EXPECTED_GRAPH


def test_definitions_load_and_jobs_resolve():
    defs = definitions.defs
    # resolve_job_def raises for a job it does not know; what each job selects is what can be wrong.
    plan_job = defs.resolve_job_def(definitions.PLAN_JOB)
    assert {key.to_user_string() for key in plan_job.asset_layer.executable_asset_keys} == {"source_pdf", "batch_plan"}
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


def test_every_asset_is_in_one_group_and_tagged_with_its_stage():
    """The UI draws a box per group only when there are several, and opens them collapsed: with one
    group the graph opens whole. The stage is a tag instead, named as `--stop-after` names it."""
    graph = definitions.defs.resolve_asset_graph()
    nodes = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    assert {node.group_name for node in nodes.values()} == {"specmill"}
    assert {name: node.tags["stage"] for name, node in nodes.items()} == {
        "source_pdf": "plan", "batch_plan": "plan", "parsed_batch": "parse", "document_blocks": "blocks",
        "clause_tree": "tree", "crosslink_graph": "links", "xsd_vocabulary": "corpus", "corrected_corpus": "corpus",
    }
    assert {"plan", "parse", *definitions.CORPUS_STAGES} == {node.tags["stage"] for node in nodes.values()}
