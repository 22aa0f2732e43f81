"""The artifact catalogue: where each stage's artifact lives in the artifact store, relative to
its root (a folder, or a key prefix in a bucket). One place, so that the assets that write an
artifact, the checks and the CLI that read it, and the output-folder guard that knows what a
build owns never drift apart."""

SOURCE = "source.json"
PROFILE = "profile.json"  # which profile the build uses, and why (source_pdf)
PAGE_TEXT = "pages.json"  # the text layer of every page, extracted once by source_pdf
OUTLINE = "outline.json"
PLAN = "plan.json"
BATCHES = "batches"
BLOCKS = "blocks.json"
TREE_DIR = "tree.zip"  # packed (specmill.tree.pack): read by the next stage, not browsed
TREE_REPORT = "tree.json"
LINKED_DIR = "linked.zip"  # packed, like the tree: what corrected_corpus reads
LINKS_REPORT = "links.json"
VOCABULARY = "vocabulary.json"
CORPUS_DIR = "corpus"  # the product: a folder of Markdown files
FINDINGS = "findings.json"
FINDINGS_MARKDOWN = "findings.md"

# Every top-level name a build writes into the store, in stage order.
ALL = (
    SOURCE, PROFILE, PAGE_TEXT, OUTLINE, PLAN, BATCHES, BLOCKS, TREE_DIR, TREE_REPORT, LINKED_DIR, LINKS_REPORT, VOCABULARY,
    CORPUS_DIR, FINDINGS, FINDINGS_MARKDOWN,
)


def batch(batch_id: str) -> str:
    return f"{BATCHES}/{batch_id}.json"
