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


LINKED_DIR = "linked.zip"  # packed (specmill.tree.pack): what corrected_corpus reads, not browsed
LINKS_REPORT = "links.json"
_EVIDENCE = 50


def link_rules(profile: DocumentProfile) -> LinkRules:
    return profile.links


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def unresolved_table(report: LinkReport, limit: int = _EVIDENCE) -> str:
    """The references into this document that did not resolve: where each is, and why."""
    misses = report.unresolved_internal
    rows = ["| file | line | reference | reason | detail |", "|---|---|---|---|---|"]
    for reference in misses[:limit]:
        rows.append(
            f"| {reference.source_file} | {reference.line} | {_cell(reference.raw_text)} | {reference.unresolved_reason} | {_cell(reference.detail or '')} |"
        )
    return "\n".join(rows) + _more(len(misses), limit)


def external_table(report: LinkReport, limit: int = _EVIDENCE) -> str:
    """The references into other documents: never linked, never a miss; listed so a person can
    see that each really is one."""
    external = report.external_references
    rows = ["| file | line | reference | cited document |", "|---|---|---|---|"]
    for reference in external[:limit]:
        rows.append(f"| {reference.source_file} | {reference.line} | {_cell(reference.raw_text)} | {_cell(reference.cited_document or '(not named)')} |")
    return "\n".join(rows) + _more(len(external), limit)


def cited_documents_table(report: LinkReport) -> str:
    rows = ["| cited document | references |", "|---|---|"]
    rows += [f"| {_cell(cited.document or '(not named)')} | {cited.count} |" for cited in report.cited_documents]
    return "\n".join(rows)


def _more(count: int, limit: int) -> str:
    return f"\n\n{count - limit} more not shown (links.json lists every one)." if count > limit else ""


@dg.asset(group_name="specmill", tags={"stage": "links"}, deps=[clause_tree], code_version="3")
def crosslink_graph(context: dg.AssetExecutionContext, settings: SpecmillSettings, store: ArtifactStore) -> dg.MaterializeResult:
    """The linked tree (DIR/linked.zip, replaced whole) and DIR/links.json: every
    reference with its target or the reason it has none, the citation graph, and the figures."""
    started = time.perf_counter()
    tree_report = store.read_model(TREE_REPORT, ClauseTreeReport)
    files, report = link_tree(store.read_tree(TREE_DIR), tree_report, link_rules(settings.profile()))
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
