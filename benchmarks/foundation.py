"""Benchmark of the foundation stages on the generated sample (not a test: it prints figures).

    .venv/bin/python -m benchmarks.foundation --pages 1000

Reports planning seconds, parse pages/s per batch and overall through the Dagster pipeline,
the same pages parsed by calling MinerU flash directly, the overhead ratio, and peak RSS."""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "largest_child_mb": round(children, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temp dir)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="specmill-bench-"))

    from schemas.profile import DocumentProfile
    from specmill.parse.mineru_local import ensure_mineru_home, parse_pages
    from specmill.plan.batches import plan_batches
    from specmill.sample import generate_sample
    from specmill.source.describe import describe_source
    from specmill_cli.pipeline import BuildOptions, Pipeline

    ensure_mineru_home(work / "mineru-home")
    started = time.perf_counter()
    sample = generate_sample(work / "doc", pages=args.pages)
    generate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    source = describe_source(Path(sample.pdf_path), DocumentProfile())
    plan = plan_batches(source.outline.entries, source.page_count, DocumentProfile().plan, source.sha256)
    plan_seconds = time.perf_counter() - started

    pipeline = Pipeline.for_document(BuildOptions(pdf=Path(sample.pdf_path), out=work / "out"))
    started = time.perf_counter()
    ok = pipeline.run(stop_after="parse")
    pipeline_seconds = time.perf_counter() - started
    parse_figures = pipeline.summary.stages["parse"]["figures"]
    per_batch = [
        {
            "batch": batch.batch_id,
            "pages": batch.page_count,
            "seconds": parse_figures.get(f"{batch.batch_id}.parsed_batch.seconds"),
            "pages_per_second": parse_figures.get(f"{batch.batch_id}.parsed_batch.pages_per_second"),
        }
        for batch in plan.batches
    ]
    parse_stage_seconds = pipeline.summary.stages["parse"]["seconds"]

    started = time.perf_counter()
    for batch in plan.batches:
        parse_pages(Path(sample.pdf_path), batch.first_page, batch.last_page, tier="flash", ocr_mode="txt")
    bare_seconds = time.perf_counter() - started

    report = {
        "pages": source.page_count,
        "clauses": len(source.outline.entries),
        "batches": len(plan.batches),
        "generate_seconds": round(generate_seconds, 2),
        "plan_seconds": round(plan_seconds, 2),
        "pipeline_ok": ok,
        "pipeline_seconds_total": round(pipeline_seconds, 2),
        "parse_stage_seconds": round(parse_stage_seconds, 2),
        "parse_pages_per_second": round(source.page_count / parse_stage_seconds, 2),
        "bare_mineru_seconds": round(bare_seconds, 2),
        "bare_mineru_pages_per_second": round(source.page_count / bare_seconds, 2),
        "parse_overhead_ratio": round(parse_stage_seconds / bare_seconds, 3),
        "peak_rss": peak_rss_mb(),
        "per_batch": per_batch,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
