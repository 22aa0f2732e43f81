"""`specmill build PDF --out DIR` and `specmill sample --out DIR`.

Exit status: 0 every blocking check passed, 1 a stage or a blocking check failed,
2 bad usage or bad input (nothing is written then), 130 / 143 stopped by Ctrl-C (SIGINT) /
SIGTERM (what was complete is kept; the same command resumes). A check blocks as it does in
Dagster: declared blocking and failed at ERROR severity; any other failed check is a warning."""

import argparse
import shlex
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
    build.add_argument(
        "--profile",
        help="document profile: a shipped profile's name (see profiles/: german-statute) or a YAML file; default: "
        "chosen from the PDF (a German statute book gets german-statute, anything else the generic default)",
    )
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
    from specmill_cli.interrupts import BuildInterrupted, stop_quietly, stop_signals

    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    with stop_signals():
        try:
            if args.command == "sample":
                return run_sample(args)
            return run_build(args)
        except BuildInterrupted as stop:
            stop_quietly()
            command = shlex.join(["specmill", *map(str, argv)])
            print(f"specmill: stopped by {stop.signal_name}; what was complete is kept (parsed batches are not parsed "
                  f"again): resume with the same command: {command}", file=sys.stderr, flush=True)
            return stop.exit_status
        except SpecmillError as exc:
            print(f"specmill: error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT


def run_sample(args: argparse.Namespace) -> int:
    from specmill.sample import generate_sample
    from specmill_cli.output_folder import require_writable_folder

    require_writable_folder(args.out)  # the sample is written there before the build checks the folder
    document = generate_sample(args.out, pages=args.pages)
    print(f"generated {document.pdf_path} ({document.page_count} pages), {document.xsd_path}, {document.ground_truth_path}")
    build_args = _parser().parse_args(["build", document.pdf_path, "--out", str(args.out), "--schemas", document.xsd_path])
    return run_build(build_args)


def run_build(args: argparse.Namespace) -> int:
    validate_options(args)  # before the graph's imports, which take seconds
    parser_choice = _parser_choice(args)  # a runpod backend without its settings stops here
    from specmill.source.pdf import file_sha256
    from specmill_cli.output_folder import check_output_folder, claim, exclusive_build, settle
    from specmill_cli.pipeline import validate_inputs

    validate_inputs(args.pdf, args.out, args.profile, args.mineru_output)
    with exclusive_build(args.out):
        source_sha256 = file_sha256(args.pdf)
        # Again, holding the lock: a build that ended meanwhile may have changed the folder.
        owned = check_output_folder(args.out, lambda: source_sha256)
        claim(args.out, source_sha256, owned)
        try:
            return _build(args, parser_choice)
        finally:
            settle(args.out, source_sha256)


def _build(args: argparse.Namespace, parser_choice) -> int:
    from specmill_cli.interrupts import BuildInterrupted
    from specmill_cli.pipeline import BuildOptions, Pipeline

    options = BuildOptions(
        pdf=args.pdf, out=args.out, profile=args.profile, schemas=tuple(args.schemas),
        parser=parser_choice,
    )
    pipeline = Pipeline.for_document(options)
    jobs = args.jobs or 1
    runpod_options = parser_choice.runpod
    if runpod_options is not None:
        from resources.runpod.pool import set_parse_pool_limit

        workers = runpod_options.workers_max()
        jobs = args.jobs or workers or 1
        print(f"runpod endpoint {runpod_options.endpoint_id}: workersMax {workers if workers is not None else 'unknown'}; "
              f"{jobs} batch(es) in flight", flush=True)
        # Launched runs and UI backfills on this instance keep the same number of parse steps going.
        set_parse_pool_limit(pipeline.instance, jobs)
    started = time.perf_counter()
    try:
        ok = pipeline.run(stop_after=args.stop_after, jobs=jobs, keep_going=args.keep_going)
    except BuildInterrupted as stop:
        # summary.json and report.md say so, rather than what the build before said.
        pipeline.summary.interrupted = stop.signal_name
        pipeline.write_summary()
        raise
    pipeline.write_summary()
    print(pipeline.summary.render_text())
    for line in _closing_lines(pipeline.summary, args.out):
        print(line)
    print(f"artifacts in {args.out} ({time.perf_counter() - started:.1f} s); report: {args.out / 'report.md'}")
    if not ok and any(failure.profile_error for failure in pipeline.summary.failures):
        return EXIT_BAD_INPUT  # the profile is at fault, not the document or specmill
    return EXIT_OK if ok else EXIT_FAILED


def validate_options(args: argparse.Namespace) -> None:
    """Options argparse cannot check, before any work: --jobs, --tier, --schemas, and the
    artifact store the environment names (SPECMILL_STORE)."""
    from typing import get_args

    from resources.store_choice import store_kind
    from schemas.worker_api import Tier, TierName

    store_kind()

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    # In-process MinerU 4 knows its four tiers; the RunPod worker also takes MinerU 3.x backend names.
    tiers = get_args(TierName) if args.backend == "runpod" else get_args(Tier)
    if args.tier not in tiers:
        known_by = " the RunPod worker knows" if args.backend == "runpod" else ""
        raise UsageError(f"--tier {args.tier} is not a MinerU tier{known_by}: choose one of {', '.join(tiers)}")
    _validate_schema_paths(args.schemas)


def _validate_schema_paths(paths: list[Path]) -> None:
    """Each --schemas path exists and can be read, and together they hold a schema file: found
    now rather than after the whole parse, when the vocabulary is built."""
    import os

    from specmill.vocabulary.loader import VocabularyError, read_schema_files

    for path in paths:
        if not path.exists():
            raise UsageError(f"--schemas {path} does not exist")
        try:
            if path.is_dir():
                os.listdir(path)
            else:
                with open(path, "rb") as handle:
                    handle.read(1)
        except OSError as exc:
            raise UsageError(f"--schemas {path} cannot be read: {exc.strerror or exc}") from exc
    if paths:
        try:
            read_schema_files(paths)
        except VocabularyError as exc:
            raise UsageError(f"--schemas: {exc}") from exc
        except OSError as exc:
            raise UsageError(f"--schemas: {exc.filename or ''} cannot be read: {exc.strerror or exc}") from exc


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


def _parser_choice(args: argparse.Namespace):
    """Who parses, from --backend, --mineru-output, --tier, --ocr-mode and the --runpod-* flags
    (resources/parser_choice.py builds the resource from it)."""
    from resources.parser_choice import ParserChoice

    if args.backend == "runpod":
        from resources.runpod.options import RunPodOptions

        if args.mineru_output is not None:
            raise UsageError("--backend runpod and --mineru-output exclude each other")
        runpod = RunPodOptions.from_env(
            endpoint_id=args.runpod_endpoint, transport=args.runpod_transport,
            execution_timeout_ms=args.runpod_execution_timeout_ms, deadline_s=args.runpod_deadline_s,
            max_attempts=args.runpod_attempts, poll_initial_s=args.runpod_poll_s,
        )
        return ParserChoice(backend="runpod", tier=args.tier, ocr_mode=args.ocr_mode, runpod=runpod)
    if args.mineru_output is not None:
        return ParserChoice(backend="mineru-output", tier=args.tier, ocr_mode=args.ocr_mode, mineru_output=str(args.mineru_output.resolve()))
    return ParserChoice(backend="mineru-local", tier=args.tier, ocr_mode=args.ocr_mode)


if __name__ == "__main__":
    sys.exit(main())
