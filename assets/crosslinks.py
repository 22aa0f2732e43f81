"""crosslink_graph: the clause tree with every reference a relative link, and the citation graph."""

import hashlib
import time

import dagster as dg

from assets.clause_tree import TREE_DIR, TREE_REPORT, clause_tree
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.link_profile import LinkRules
from schemas.links import LinkReport
from schemas.profile import DocumentProfile
from schemas.tree import ClauseTreeReport
from specmill.links.link import link_tree


LINKED_DIR = "linked.zip"  # packed (specmill.tree_pack): what corrected_corpus reads, not browsed
LINKS_REPORT = "links.json"
_EVIDENCE = 50


def link_rules(profile: DocumentProfile) -> LinkRules:
    return profile.links


def unresolved_table(report: LinkReport, limit: int = _EVIDENCE) -> str:
    rows = ["| file | line | reference | reason | detail |", "|---|---|---|---|---|"]
    for reference in report.unresolved_references[:limit]:
        raw = reference.raw_text.replace("|", "\\|")
        rows.append(f"| {reference.source_file} | {reference.line} | {raw} | {reference.unresolved_reason} | {reference.detail or ''} |")
    return "\n".join(rows)


@dg.asset(group_name="links", deps=[clause_tree], code_version="2")
def crosslink_graph(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """The linked tree (DIR/linked.zip, replaced whole) and DIR/links.json: every
    reference with its target or the reason it has none, the citation graph, and the figures."""
    started = time.perf_counter()
    tree_report = store.read_model(TREE_REPORT, ClauseTreeReport)
    files, report = link_tree(store.read_tree(TREE_DIR), tree_report, link_rules(settings.profile()))
    store.write_tree(LINKED_DIR, files)
    store.write_model(LINKS_REPORT, report)
    if report.unresolved:
        context.log.warning(f"{report.unresolved} references unresolved: {report.unresolved_by_reason}")
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return dg.MaterializeResult(
        metadata={
            "references_found": report.references_found,
            "resolved": report.resolved,
            "unresolved": report.unresolved,
            "resolution_rate": dg.MetadataValue.float(report.resolution_rate),
            "unresolved_by_reason": dg.MetadataValue.json(report.unresolved_by_reason),
            "found_by_form": dg.MetadataValue.json(report.found_by_form),
            "links_emitted": report.links_emitted,
            "files_changed": report.files_changed,
            "most_cited": dg.MetadataValue.json([c.model_dump() for c in report.most_cited[:10]]),
            "graph_edges": len(report.graph.edges),
            "seconds": round(time.perf_counter() - started, 3),
            "linked_path": dg.MetadataValue.path(store.uri(LINKED_DIR)),
            "links_path": dg.MetadataValue.path(store.uri(LINKS_REPORT)),
        },
        data_version=dg.DataVersion(digest.hexdigest()),
    )
