"""Checks of the linked tree, each asking its own question:

- crosslinks_do_not_dangle: every relative link names a file of the tree as stored.
- crosslinks_survive_a_copy: no link depends on where the tree sits (no absolute path, no
  `file:` URL, nothing climbing out of the tree root, into the output folder or beyond).
- crosslinks_point_at_their_clause: every link written for a reference lands on the file of the
  clause that the reference names.
- crosslinks_resolution_rate: enough references into this document resolve; references into other
  documents are reported apart and never lower the rate.

The link checks read the tree through the store (a folder, or a packed tree the store may hold in
memory) and resolve every link against the tree's own relative paths, never the disk around it:
that is all a copy holds, so the copy needs no copying."""

import posixpath

import dagster as dg

from assets.crosslinks import crosslink_graph
from resources.store_base import ArtifactStore
from schemas.artifacts import LINKED_DIR, LINKS_REPORT, TREE_REPORT
from schemas.links import DanglingLink, LinkReport
from schemas.tree import ClauseTreeReport
from specmill.errors import ArtifactError
from specmill.links.tables import cited_documents_table, external_table, unresolved_table
from specmill.links.verify import (
    ClauseFiles,
    dangling_in,
    links_to_check,
    location_dependent_in,
    misdirected_links,
    outside_path,
    tree_links,
)

_EVIDENCE = 50  # items listed in metadata; the count is always the true count


def _evidence(items: list) -> dg.MetadataValue:
    return dg.MetadataValue.json([item.model_dump() for item in items[:_EVIDENCE]])


@dg.asset_check(asset=crosslink_graph, blocking=True)
def crosslinks_do_not_dangle(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every relative link in the linked tree names an existing file of the tree as stored (a
    missing file, or a path out of the tree, dangles). Absolute paths and URLs are the copy check's."""
    dangling = dangling_in(tree_links(store.read_tree(LINKED_DIR)))
    return dg.AssetCheckResult(passed=not dangling, metadata={"dangling": len(dangling), "dangling_links": _evidence(dangling)})


@dg.asset_check(asset=crosslink_graph, blocking=True)
def crosslinks_survive_a_copy(store: ArtifactStore) -> dg.AssetCheckResult:
    """No link depends on where the tree sits: no absolute path, no `file:` URL, no drive or
    network path, nothing climbing out of the tree root, even to a file that exists there today
    (`../blocks.json` reaches the output folder only while the tree stays beside it). Proven on
    the tree as read, without copying it."""
    dependent = [_name_output_folder(link, store) for link in location_dependent_in(tree_links(store.read_tree(LINKED_DIR)))]
    return dg.AssetCheckResult(
        passed=not dependent, metadata={"location_dependent": len(dependent), "location_dependent_links": _evidence(dependent)}
    )


def _name_output_folder(link: DanglingLink, store: ArtifactStore) -> DanglingLink:
    """A link climbing out of the tree to an artifact beside it says so: the copy check's evidence
    then tells a person why it 'works' here and nowhere else."""
    beside = outside_path(link)
    if beside is None:
        return link
    key = posixpath.join(posixpath.dirname(LINKED_DIR), beside)
    try:
        reaches_artifact = store.exists(key)
    except ArtifactError:  # not a plain artifact key ('x/./y'): it names no artifact
        reaches_artifact = False
    return link.model_copy(update={"reason": f"{link.reason} into the output folder ({key})"}) if reaches_artifact else link


@dg.asset_check(asset=crosslink_graph, blocking=True)
def crosslinks_point_at_their_clause(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every link written for a reference (links.json lists them) lands, in the stored tree, on the
    file of the clause the reference names: the clause's own file, the index listing it when it is
    empty, or its nearest outlined ancestor when it is deeper than the outline. Which clause a file
    holds comes from the clause tree report, not from the resolver that made the link."""
    report = store.read_model(LINKS_REPORT, LinkReport)
    clauses = ClauseFiles.from_tree_report(store.read_model(TREE_REPORT, ClauseTreeReport))
    misdirected = misdirected_links(tree_links(store.read_tree(LINKED_DIR)), report, clauses)
    return dg.AssetCheckResult(
        passed=not misdirected,
        metadata={"links_checked": links_to_check(report), "misdirected": len(misdirected), "misdirected_links": _evidence(misdirected)},
    )


@dg.asset_check(asset=crosslink_graph)
def crosslinks_resolution_rate(store: ArtifactStore) -> dg.AssetCheckResult:
    """resolved / references into this document >= the profile's threshold (default 0.98).

    The evidence lists the misses a person can act on (file, line, text, reason) and, apart, the
    references into other documents with the documents they name."""
    report = store.read_model(LINKS_REPORT, LinkReport)
    return dg.AssetCheckResult(
        passed=report.resolution_rate >= report.threshold,
        metadata={
            "resolution_rate": dg.MetadataValue.float(report.resolution_rate),
            "threshold": dg.MetadataValue.float(report.threshold),
            "references_found": report.references_found,
            "references_internal": report.references_internal,
            "references_external": report.references_external,
            "resolved": report.resolved,
            "unresolved_internal": len(report.unresolved_internal),
            "unresolved_by_reason": dg.MetadataValue.json(report.unresolved_by_reason),
            "unresolved": dg.MetadataValue.md(unresolved_table(report)),
            "external": dg.MetadataValue.md(external_table(report)),
            "cited_documents": dg.MetadataValue.md(cited_documents_table(report)),
        },
    )
