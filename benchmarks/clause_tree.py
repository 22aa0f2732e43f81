"""Benchmark of segment + render + write (the clause_tree stage) on existing MinerU output.

    .venv/bin/python -m benchmarks.clause_tree --pdf out/sample-spec.pdf --mineru-output out/content_list.json

Not a test: prints seconds per step, blocks/s, files written, and peak RSS. The PDF supplies the
outline (and the text layer for image-only headings); --mineru-output takes what
specmill.parse.mineru_output accepts. Target (issue 3): 5,000 generated pages in <= 20 s, <= 1.5 GB."""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, required=True)
    parser.add_argument("--mineru-output", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None, help="where tree/ is written (default: a temp dir)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="specmill-tree-bench-"))

    from schemas.profile import DocumentProfile
    from specmill.parse.mineru_output import load_mineru_output
    from specmill.tree.segment import segment_blocks
    from specmill.source.describe import describe_source
    from specmill.source.textlayer import PdfTextLayer
    from specmill.tree.listings import heading_texts, join_listings
    from specmill.tree.write import render_clause_tree, write_tree

    profile = DocumentProfile()
    started = time.perf_counter()
    source = describe_source(args.pdf, profile)
    blocks = load_mineru_output(args.mineru_output)
    loaded = time.perf_counter()
    with PdfTextLayer(args.pdf) as layer:
        opened = time.perf_counter()
        tree = segment_blocks(
            join_listings(blocks, layer.lines_under, heading_texts(source.outline.entries)), source.outline.entries, rules=profile.segmentation,
            clause_id_patterns=profile.outline.clause_id_patterns, recover_text=layer.text_under,
        )
        segmented = time.perf_counter()
    files, report = render_clause_tree(tree, document_title=args.pdf.stem, rules=profile.tree)
    rendered = time.perf_counter()
    write_tree(files, out / "tree")
    written = time.perf_counter()
    work = (segmented - opened) + (rendered - segmented) + (written - rendered)
    print(json.dumps({
        "pages": source.page_count,
        "blocks": len(blocks),
        "clauses": len(source.outline.entries),
        "matched": len(report.segmentation.matched),
        "missed": len(report.segmentation.missed),
        "misplaced": len(report.misplaced),
        "files": len(report.files),
        "bytes": report.bytes,
        "load_seconds": round(loaded - started, 2),
        "segment_seconds": round(segmented - opened, 2),
        "render_seconds": round(rendered - segmented, 2),
        "write_seconds": round(written - rendered, 2),
        "segment_render_write_seconds": round(work, 2),
        "blocks_per_second": round(len(blocks) / work) if work else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tree": str(out / "tree"),
    }, indent=2))


if __name__ == "__main__":
    main()
