"""`specmill build PDF --out DIR` and `specmill sample --out DIR`.

Exit status: 0 every blocking check passed, 1 a stage or a blocking check failed,
2 bad usage or bad input (nothing is written then). A check blocks as it does in Dagster:
declared blocking and failed at ERROR severity; any other failed check is a warning."""

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from specmill.errors import SpecmillError

if TYPE_CHECKING:  # the summary imports dagster, which `specmill --help` should not wait for
    from specmill_cli.summary import RunSummary


class UsageError(SpecmillError):
    """A command-line option is out of range."""

STAGES = ["plan", "parse", "blocks", "tree", "links", "corpus"]
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="specmill", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="run the asset graph on one PDF and write its artifacts")
    build.add_argument("pdf", type=Path, help="the source PDF")
    build.add_argument("--out", type=Path, required=True, help="artifact folder (created; reused on re-runs)")
    build.add_argument("--profile", type=Path, help="document profile YAML")
    build.add_argument("--schemas", type=Path, nargs="*", default=[], help="XSD/RNC/RNG files, folders or zips")
    build.add_argument("--stop-after", choices=STAGES, help="stop after this stage")
    build.add_argument(
        "--keep-going", action="store_true",
        help="run the later stages even after a blocking check failed (the failure is recorded and the exit status stays 1)",
    )
    build.add_argument("--tier", default="flash", help="MinerU tier for the mineru-local backend (default flash)")
    build.add_argument("--ocr-mode", default="txt", choices=["txt", "auto", "ocr"], help="MinerU ocr_mode (default txt)")
    build.add_argument(
        "--jobs", type=int, default=None,
        help="parse this many batches at a time, each in its own process (default 1; with --backend runpod "
        "the endpoint's workersMax)",
    )
    build.add_argument(
        "--backend", choices=["mineru-local", "runpod"], default="mineru-local",
        help="who parses: MinerU in this process (default), or the GPU worker on a RunPod endpoint (docs/runpod.md)",
    )
    runpod = build.add_argument_group(
        "runpod backend", "secrets come from the environment only: RUNPOD_API_KEY, BUCKET_ENDPOINT_URL, BUCKET_NAME, "
        "BUCKET_ACCESS_KEY_ID, BUCKET_SECRET_ACCESS_KEY (the bucket the worker's BUCKET_* name)",
    )
    runpod.add_argument("--runpod-endpoint", help="endpoint id (default $RUNPOD_ENDPOINT_ID)")
    runpod.add_argument("--runpod-transport", choices=["inline", "tarball_b64", "s3"], help="how results come back (default inline; over the worker's cap they go through s3)")
    runpod.add_argument("--runpod-execution-timeout-ms", type=int, help="per-job execution timeout (default: the endpoint's)")
    runpod.add_argument("--runpod-deadline-s", type=float, help="total time allowed per batch, retries included (default 10800)")
    runpod.add_argument("--runpod-attempts", type=int, help="jobs per batch at most (default 3)")
    runpod.add_argument("--runpod-poll-s", type=float, help="first poll interval; it doubles up to 15 s (default 1)")
    build.add_argument(
        "--mineru-output", type=Path,
        help="use existing MinerU output instead of parsing: a content_list.json, or a folder of per-batch outputs",
    )

    sample = commands.add_parser("sample", help="generate the sample specification and build it end to end")
    sample.add_argument("--out", type=Path, default=Path("out/sample"), help="folder for the sample and its artifacts")
    sample.add_argument("--pages", type=int, default=24, help="page count of the generated sample")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sample":
            return run_sample(args)
        return run_build(args)
    except SpecmillError as exc:
        print(f"specmill: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def run_sample(args: argparse.Namespace) -> int:
    from specmill.sample import generate_sample

    document = generate_sample(args.out, pages=args.pages)
    print(f"generated {document.pdf_path} ({document.page_count} pages), {document.xsd_path}, {document.ground_truth_path}")
    build_args = _parser().parse_args(["build", document.pdf_path, "--out", str(args.out), "--schemas", document.xsd_path])
    return run_build(build_args)


def run_build(args: argparse.Namespace) -> int:
    from specmill_cli.pipeline import BuildOptions, Pipeline, validate_inputs

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    runpod_options = _runpod_options(args) if args.backend == "runpod" else None
    validate_inputs(args.pdf, args.out, args.profile, args.mineru_output)
    options = BuildOptions(
        pdf=args.pdf, out=args.out, profile=args.profile, schemas=tuple(args.schemas), tier=args.tier,
        ocr_mode=args.ocr_mode, mineru_output=args.mineru_output, backend=args.backend, runpod=runpod_options,
    )
    pipeline = Pipeline.for_document(options)
    jobs = args.jobs or 1
    if runpod_options is not None:
        from resources.runpod_parser import set_parse_pool_limit

        workers = runpod_options.workers_max()
        jobs = args.jobs or workers or 1
        print(f"runpod endpoint {runpod_options.endpoint_id}: workersMax {workers if workers is not None else 'unknown'}; "
              f"{jobs} batch(es) in flight", flush=True)
        # Launched runs and UI backfills on this instance keep the same number of parse steps going.
        set_parse_pool_limit(pipeline.instance, jobs)
    started = time.perf_counter()
    ok = pipeline.run(stop_after=args.stop_after, jobs=jobs, keep_going=args.keep_going)
    pipeline.write_summary()
    print(pipeline.summary.render_text())
    for line in _closing_lines(pipeline.summary, args.out):
        print(line)
    print(f"artifacts in {args.out} ({time.perf_counter() - started:.1f} s); report: {args.out / 'report.md'}")
    return EXIT_OK if ok else EXIT_FAILED


def _closing_lines(summary: "RunSummary", out: Path) -> list[str]:
    """Why the build stopped, and where the whole evidence of what failed is."""
    from specmill_cli.pipeline import BUILD_LOG
    from specmill_cli.report import FAILED_CHECKS_HEADING

    lines = []
    if summary.stopped_after:
        only_checks = not summary.crashed_steps
        cause = "a blocking check failed (--keep-going runs the later stages anyway)" if only_checks else "a step failed"
        lines.append(f"build stopped after stage {summary.stopped_after}: {cause}")
    if summary.failed_blocking or summary.warnings:
        heading = FAILED_CHECKS_HEADING.lstrip("# ")
        lines.append(f"evidence of the failed checks: {out / 'report.md'} (\"{heading}\"), {out / 'summary.json'}")
    if summary.crashed_steps:
        lines.append(f"stack traces of the failed steps: {out / BUILD_LOG}")
    return lines


def _runpod_options(args: argparse.Namespace):
    from resources.runpod_parser import RunPodOptions

    if args.mineru_output is not None:
        raise UsageError("--backend runpod and --mineru-output exclude each other")
    return RunPodOptions.from_env(
        endpoint_id=args.runpod_endpoint, transport=args.runpod_transport,
        execution_timeout_ms=args.runpod_execution_timeout_ms, deadline_s=args.runpod_deadline_s,
        max_attempts=args.runpod_attempts, poll_initial_s=args.runpod_poll_s,
    )


if __name__ == "__main__":
    sys.exit(main())
