"""crosslink_graph: the clause tree with every reference a relative link, and the citation graph."""

import hashlib
import time

import dagster as dg

from assets.clause_tree import clause_tree
from resources.settings import SpecmillSettings
from resources.store_base import ArtifactStore
from schemas.artifacts import LINKED_DIR, LINKS_REPORT, TREE_DIR, TREE_REPORT
from schemas.link_profile import LinkRules
from schemas.profile import DocumentProfile
from schemas.tree import ClauseTreeReport
from specmill.links.link import link_tree


def link_rules(profile: DocumentProfile) -> LinkRules:
    return profile.links


@dg.asset(group_name="specmill", tags={"stage": "links"}, deps=[clause_tree], code_version="3")
def crosslink_graph(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """The linked tree (DIR/linked.zip, replaced whole) and DIR/links.json: every
    reference with its target or the reason it has none, the citation graph, and the figures."""
    started = time.perf_counter()
    tree_report = store.read_model(TREE_REPORT, ClauseTreeReport)
    files, report = link_tree(store.read_tree(TREE_DIR), tree_report, link_rules(settings.stage_profile(store)))
    store.write_tree(LINKED_DIR, files)
    store.write_model(LINKS_REPORT, report)
    if report.unresolved_internal:
        context.log.warning(
            f"{len(report.unresolved_internal)} of {report.references_internal} references into this document unresolved: "
            f"{report.unresolved_by_reason} (outside_document: references into other documents, not misses)"
        )
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return dg.MaterializeResult(
        metadata={
            "references_found": report.references_found,
            "resolved": report.resolved,
            "unresolved": report.unresolved,
            "references_internal": report.references_internal,
            "references_external": report.references_external,
            "resolution_rate": dg.MetadataValue.float(report.resolution_rate),
            "unresolved_by_reason": dg.MetadataValue.json(report.unresolved_by_reason),
            "cited_documents": dg.MetadataValue.json([c.model_dump() for c in report.cited_documents[:10]]),
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
