"""Where each stage's artifact lives inside the artifact store (one place, so names never drift)."""

SOURCE = "source.json"
PAGE_TEXT = "pages.json"  # the text layer of every page, extracted once by source_pdf
OUTLINE = "outline.json"
PLAN = "plan.json"


def batch(batch_id: str) -> str:
    return f"batches/{batch_id}.json"
