"""The citation graph (clauses as nodes, references as weighted edges) and the figures of a
linking run.

The resolution rate counts references that point into this document: a reference to another
standard's clause ('§5.2 of [xmlenc-core]') can never resolve here and is reported, by reason,
without lowering the rate."""

from __future__ import annotations

import re
from collections import Counter

from schemas.links import CitationEdge, CitationGraph, CitationNode, CitedClause, CitedDocument, LinkReport, Reference
from specmill.links.resolve import ClauseDirectory

MOST_CITED = 20


def resolution_rate(references: list[Reference]) -> float:
    """resolved / references into this document (1.0 when there is none)."""
    inside = [r for r in references if not r.external]
    if not inside:
        return 1.0
    return sum(1 for r in inside if r.resolved) / len(inside)


def cited_documents(references: list[Reference]) -> list[CitedDocument]:
    """The other documents that references point into, most cited first; the references whose
    text names no document are counted under None, last among equals. Spellings that differ only
    in case, spaces or hyphens ('xmlenc-core', 'xmlenccore' where a line-end hyphen was joined) are
    one document, shown as most often printed."""
    spellings: dict[str | None, Counter[str | None]] = {}
    for reference in references:
        if reference.external:
            name = reference.cited_document
            spellings.setdefault(_document_key(name), Counter())[name] += 1
    counted = [(sum(names.values()), names.most_common(1)[0][0]) for names in spellings.values()]
    ordered = sorted(counted, key=lambda item: (-item[0], item[1] is None, item[1] or ""))
    return [CitedDocument(document=document, count=count) for count, document in ordered]


def _document_key(name: str | None) -> str | None:
    return None if name is None else re.sub(r"[\W_]+", "", name.lower())


def build_citation_graph(references: list[Reference], directory: ClauseDirectory) -> CitationGraph:
    by_file = directory.by_file()
    edges: Counter[tuple[str, str]] = Counter()
    cited: Counter[str] = Counter()
    cites: Counter[str] = Counter()
    for reference in references:
        if not reference.resolved:
            continue
        source_entry = by_file.get(reference.source_file)
        source = (source_entry.clause_id or source_entry.key) if source_entry else (reference.source_section or reference.source_file)
        cites[source] += 1
        for target in reference.target_ids:
            edges[(source, target)] += 1
            cited[target] += 1
    nodes = [
        CitationNode(
            clause_id=entry.clause_id or entry.key, section=entry.key, file=entry.file,
            cited_by=cited[entry.clause_id or entry.key], cites=cites[entry.clause_id or entry.key],
        )
        for entry in sorted(directory.entries, key=lambda e: directory.order_key(e.clause_id or e.key))
    ]
    return CitationGraph(
        nodes=nodes,
        edges=[CitationEdge(source=s, target=t, weight=w) for (s, t), w in sorted(edges.items(), key=lambda item: (-item[1], item[0]))],
    )


def build_link_report(
    references: list[Reference], directory: ClauseDirectory, *, links_emitted: int, files_changed: int, threshold: float
) -> LinkReport:
    graph = build_citation_graph(references, directory)
    resolved = sum(1 for r in references if r.resolved)
    external = sum(1 for r in references if r.external)
    reasons = Counter(r.unresolved_reason for r in references if r.unresolved_reason)
    most_cited = sorted((node for node in graph.nodes if node.cited_by), key=lambda n: (-n.cited_by, directory.order_key(n.clause_id)))
    return LinkReport(
        references_found=len(references),
        resolved=resolved,
        unresolved=len(references) - resolved,
        references_internal=len(references) - external,
        references_external=external,
        resolution_rate=round(resolution_rate(references), 6),
        unresolved_by_reason=dict(sorted(reasons.items())),
        found_by_form=dict(sorted(Counter(r.form for r in references).items())),
        links_emitted=links_emitted,
        files_changed=files_changed,
        most_cited=[CitedClause(clause_id=n.clause_id, count=n.cited_by) for n in most_cited[:MOST_CITED]],
        cited_documents=cited_documents(references),
        threshold=threshold,
        references=references,
        graph=graph,
    )
