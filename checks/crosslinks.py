"""Checks of the linked tree: nothing dangles (where it is stored, and after a copy elsewhere),
and enough references resolve.

Both link checks read the tree through the store (a folder, or a packed tree the store may hold
in memory) and resolve every link against the tree's own relative paths, never the disk around
it: that is all a copy holds, so the copy needs no copying."""

import dagster as dg

from assets.crosslinks import LINKED_DIR, LINKS_REPORT, crosslink_graph, unresolved_table
from resources.store_base import ArtifactStore
from schemas.links import LinkReport
from specmill.links.verify import dangling_in, tree_links

_EVIDENCE = 50  # items listed in metadata; the count is always the true count


@dg.asset_check(asset=crosslink_graph, blocking=True)
def crosslinks_do_not_dangle(store: ArtifactStore) -> dg.AssetCheckResult:
    """Every link in the linked tree names an existing file inside the tree."""
    dangling = dangling_in(tree_links(store.read_tree(LINKED_DIR)))
    return dg.AssetCheckResult(
        passed=not dangling,
        metadata={"dangling": len(dangling), "dangling_links": dg.MetadataValue.json([d.model_dump() for d in dangling[:_EVIDENCE]])},
    )


@dg.asset_check(asset=crosslink_graph)
def crosslinks_resolution_rate(store: ArtifactStore) -> dg.AssetCheckResult:
    """resolved / references into this document >= the profile's threshold (default 0.98)."""
    report = store.read_model(LINKS_REPORT, LinkReport)
    return dg.AssetCheckResult(
        passed=report.resolution_rate >= report.threshold,
        metadata={
            "resolution_rate": dg.MetadataValue.float(report.resolution_rate),
            "threshold": dg.MetadataValue.float(report.threshold),
            "references_found": report.references_found,
            "resolved": report.resolved,
            "unresolved_by_reason": dg.MetadataValue.json(report.unresolved_by_reason),
            "unresolved": dg.MetadataValue.md(unresolved_table(report)),
        },
    )


@dg.asset_check(asset=crosslink_graph)
def crosslinks_survive_a_copy(store: ArtifactStore) -> dg.AssetCheckResult:
    """The linked tree copied to another directory still has no dangling link: no absolute path,
    nothing that climbs out of the tree, every target among the tree's own files. Proven on the
    tree as read, without copying it: its relative paths are all that a copy holds."""
    dangling = dangling_in(tree_links(store.read_tree(LINKED_DIR)))
    return dg.AssetCheckResult(
        passed=not dangling,
        metadata={"dangling_after_copy": len(dangling), "dangling_links": dg.MetadataValue.json([d.model_dump() for d in dangling[:_EVIDENCE]])},
    )
