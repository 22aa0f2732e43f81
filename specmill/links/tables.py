"""The link report for people: Markdown tables of what did not resolve and of the references
into other documents, for the UI's metadata panel, check evidence and report.md."""

from schemas.links import LinkReport

_EVIDENCE = 50  # rows a table shows; links.json lists every reference


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
