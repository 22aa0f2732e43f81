"""The batch plan for people: the UI's metadata panel and report.md."""

from schemas.plan import BatchPlan


def plan_table(plan: BatchPlan) -> str:
    """The plan for people (the UI's metadata panel, report.md): PDF pages numbered from 1, as a
    viewer shows them; plan.json keeps 0-based page indexes."""
    rows = ["| batch | PDF pages | count | first clause | clauses |", "|---|---|---|---|---|"]
    for batch in plan.batches:
        first = batch.clause_ids[0] if batch.clause_ids else "(continues)"
        flag = " (cut inside a clause)" if batch.forced_cut else ""
        rows.append(
            f"| {batch.batch_id} | {batch.first_page + 1}–{batch.last_page + 1}{flag} | {batch.page_count} | {first} | {len(batch.clause_ids)} |"
        )
    return "\n".join(rows)
