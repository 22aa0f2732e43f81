"""The ECMA-376-scale benchmark (not a test: it prints figures).

    .venv/bin/python -m benchmarks.scale --pages 5000 --jobs 2 --work /tmp/scale
    .venv/bin/python -m benchmarks.scale --reuse /tmp/scale     # post-parse figures again, no parse

On the generated sample it measures: generation; the parse stage through the pipeline
(`specmill build --stop-after parse --jobs N`) against MinerU flash called directly on the same
batches with the same parallelism, and PyMuPDF text extraction of the same pages; the post-parse
stages (document_blocks -> corrected_corpus, checks included) as a first build writes them (a
fresh output folder holding only the parsed batches), each stage in its own process (wall
seconds, blocks/s, peak RSS), and all of them in one `specmill build` run; incremental
re-materialization after one batch changes and after the profile's correction map changes; and
the parallel-parse speedup on a smaller document. `--reuse` takes the sample and the parsed
batches of an earlier run's work folder and measures everything after the parse."""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
SPECMILL = [sys.executable, "-m", "specmill_cli.main"]
POST_PARSE_STAGES = ["blocks", "tree", "links", "corpus"]


def run(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(command)}")
    return time.perf_counter() - started, result


def children_peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _bare_parse(args: tuple[str, int, int]) -> float:
    from specmill.parse.mineru_local import parse_pages

    pdf, first, last = args
    return parse_pages(Path(pdf), first, last, tier="flash", ocr_mode="txt")[1]


def bare_mineru_seconds(pdf: str, batches, jobs: int) -> float:
    import multiprocessing

    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_bare_parse, [(pdf, b.first_page, b.last_page) for b in batches]))
    return time.perf_counter() - started


def pymupdf_seconds(pdf: str) -> float:
    import pymupdf

    started = time.perf_counter()
    with pymupdf.open(pdf) as document:
        for page in document:
            page.get_text("text")
    return time.perf_counter() - started


def build(pdf: str, out: Path, xsd: str, *extra: str) -> tuple[float, dict]:
    seconds, _ = run([*SPECMILL, "build", pdf, "--out", str(out), "--schemas", xsd, *extra])
    return seconds, json.loads((out / "summary.json").read_text())


def build_with_peak_rss(pdf: str, out: Path, xsd: str, *extra: str) -> tuple[float, dict, float]:
    """`build`, plus the peak RSS of that one `specmill build` process (wait4 reports the
    resources of the child waited for, not of every child this benchmark has run)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: nothing is read until the end
        process = subprocess.Popen([*SPECMILL, "build", pdf, "--out", str(out), "--schemas", xsd, *extra], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"specmill build failed ({process.returncode}): {errors.read().decode()[-4000:]}")
    return time.perf_counter() - started, json.loads((out / "summary.json").read_text()), round(usage.ru_maxrss / 1024, 1)


def fresh_copy(out: Path, target: Path) -> Path:
    """An output folder as a first build has it after parsing: source, outline, plan, batches."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("source.json", "pages.json", "outline.json", "plan.json"):
        if (out / name).exists():
            shutil.copy2(out / name, target / name)
    shutil.copytree(out / "batches", target / "batches")
    return target


def stage_seconds(summary: dict, stages: list[str]) -> dict[str, float]:
    return {stage: summary["stages"][stage]["seconds"] for stage in stages if stage in summary["stages"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--speedup-pages", type=int, default=400, help="document size for the parallel-parse speedup")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--reuse", type=Path, help="an earlier run's work folder: measure only what follows the parse")
    args = parser.parse_args()
    work = (args.reuse or args.work or Path(tempfile.mkdtemp(prefix="specmill-scale-"))).resolve()
    os.environ.setdefault("MINERU_HOME", str(work / "mineru-home"))
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "yes"
    report: dict = {"pages": args.pages, "jobs": args.jobs, "cpu_count": os.cpu_count()}

    from schemas.plan import BatchPlan
    from specmill.sample import generate_sample

    if args.reuse:
        sample = SimpleNamespace(pdf_path=str(work / "doc" / "sample-spec.pdf"), xsd_path=str(work / "doc" / "sample-spec.xsd"),
                                 ground_truth_path=str(work / "doc" / "sample-spec.truth.json"))
        report["pages"] = json.loads((work / "out" / "source.json").read_text())["page_count"]
    else:
        started = time.perf_counter()
        sample = generate_sample(work / "doc", pages=args.pages)
        report["generate_seconds"] = round(time.perf_counter() - started, 1)
    truth = json.loads(Path(sample.ground_truth_path).read_text())
    report["sample"] = {k: len(truth[k]) for k in ("clauses", "references", "examples", "attribute_tables")}

    out = work / "out"
    if not args.reuse:
        # Parse through the pipeline, then MinerU alone on the same batches with the same parallelism.
        seconds, summary = build(sample.pdf_path, out, sample.xsd_path, "--stop-after", "parse", "--jobs", str(args.jobs))
        plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
        parse_wall = summary["stages"]["parse"]["seconds"]
        bare = bare_mineru_seconds(sample.pdf_path, plan.batches, args.jobs)
        report["plan_seconds"] = summary["stages"]["plan"]["seconds"]
        report["parse"] = {
            "pipeline_seconds": parse_wall,
            "pipeline_pages_per_second": round(args.pages / parse_wall, 2),
            "bare_mineru_seconds": round(bare, 1),
            "bare_mineru_pages_per_second": round(args.pages / bare, 2),
            "overhead_ratio": round(parse_wall / bare, 3),
            "peak_rss_mb_largest_process": children_peak_rss_mb(),
        }
        report["pymupdf_text_seconds"] = round(pymupdf_seconds(sample.pdf_path), 2)
        report["ratio_bare_mineru_to_pymupdf"] = round(bare / report["pymupdf_text_seconds"], 1)
        (work / "parse.json").write_text(json.dumps(report["parse"]))
    plan = BatchPlan.model_validate_json((out / "plan.json").read_bytes())
    report["batches"] = len(plan.batches)
    parse_wall = json.loads((work / "parse.json").read_text())["pipeline_seconds"]

    # Each post-parse stage in its own process, as a first build runs them: wall time, peak RSS.
    first = fresh_copy(out, work / "first-build")
    per_stage = []
    for stage in POST_PARSE_STAGES:
        _, result = run([sys.executable, "-m", "benchmarks.stage_runner", str(first), stage, sample.pdf_path, "--schemas", sample.xsd_path])
        per_stage.append(json.loads(result.stdout.strip().splitlines()[-1]))
    blocks = sum(sum(json.loads(p.read_bytes())["record"]["block_counts"].values()) for p in (out / "batches").glob("b*.json"))
    report["blocks"] = blocks
    report["post_parse_stages"] = [
        {"stage": s["stage"], "seconds": s["seconds"], "blocks_per_second": round(blocks / s["seconds"]), "peak_rss_mb": s["peak_rss_mb"],
         "checks_failed": s["checks_failed"]}
        for s in per_stage
    ]
    report["post_parse_total_seconds"] = round(sum(s["seconds"] for s in per_stage), 1)
    report["post_parse_peak_rss_mb"] = max(s["peak_rss_mb"] for s in per_stage)
    corrected = next(s for s in per_stage if s["stage"] == "corpus")["figures"]
    report["verification_pages_extracted"] = corrected.get("corrected_corpus.pages_extracted")

    # The same, as a user runs it: one `specmill build` into a fresh folder holding the parsed
    # batches (reused), so every post-parse artifact is written for the first time.
    one = fresh_copy(out, work / "one-build")
    seconds, summary, peak_rss = build_with_peak_rss(sample.pdf_path, one, sample.xsd_path)
    full_post_parse = stage_seconds(summary, POST_PARSE_STAGES)
    report["one_process_build"] = {"wall_seconds": round(seconds, 1), "post_parse_seconds": full_post_parse,
                                   "post_parse_total": round(sum(full_post_parse.values()), 1), "passed": summary["passed"],
                                   "peak_rss_mb": peak_rss}
    full_run = parse_wall + sum(full_post_parse.values())
    out = one

    # Incremental: one batch's output changes (its artifact is gone) -> that batch + the corpus stages.
    victim = plan.batches[len(plan.batches) // 2]
    (out / "batches" / f"{victim.batch_id}.json").unlink()
    seconds, summary = build(sample.pdf_path, out, sample.xsd_path, "--jobs", str(args.jobs))
    parse_figures = summary["stages"]["parse"]["figures"]
    incremental = summary["stages"]["parse"]["seconds"] + sum(stage_seconds(summary, POST_PARSE_STAGES).values())
    report["incremental_one_batch"] = {
        "batch": victim.batch_id, "pages": victim.page_count, "batches_parsed": parse_figures.get("batches_parsed"),
        "batches_reused": parse_figures.get("batches_reused"), "seconds": round(incremental, 1),
        "relative_to_full_run": round(incremental / full_run, 3),
    }
    # Incremental: the profile's correction map changes -> only the corpus stage needs to run again.
    profile = work / "profile.yaml"
    profile.write_text("verification:\n  corrections:\n    - {garble: fontAlgm, name: fontAlgn}\n")
    _, result = run([sys.executable, "-m", "benchmarks.stage_runner", str(out), "corpus", sample.pdf_path,
                     "--schemas", sample.xsd_path, "--profile", str(profile)])
    corpus_only = json.loads(result.stdout.strip().splitlines()[-1])["seconds"]
    report["incremental_correction_map"] = {"stage_rerun": "corpus", "seconds": corpus_only,
                                            "relative_to_full_run": round(corpus_only / full_run, 4)}

    if args.reuse:
        print(json.dumps(report, indent=2))
        return
    # Parallel parse speedup on a smaller document, 1..cpu_count processes.
    small = generate_sample(work / "small", pages=args.speedup_pages)
    speedup = {}
    for jobs in range(1, (os.cpu_count() or 1) + 1):
        target = work / f"small-out-{jobs}"
        shutil.rmtree(target, ignore_errors=True)
        _, summary = build(small.pdf_path, target, small.xsd_path, "--stop-after", "parse", "--jobs", str(jobs))
        speedup[jobs] = summary["stages"]["parse"]["seconds"]
    report["parallel_parse"] = {"pages": args.speedup_pages, "seconds_by_jobs": speedup,
                                "speedup": {j: round(speedup[1] / s, 2) for j, s in speedup.items()}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
