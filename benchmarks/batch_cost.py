"""What batching costs on real documents: plan + parse through `specmill build` against bare
MinerU flash on the whole PDF (not a test: it prints figures).

    .venv/bin/python -m benchmarks.batch_cost                       # the corpus's 100-700-page specs
    .venv/bin/python -m benchmarks.batch_cost --docs dss-core-v2 --repeats 3 --min-batch-pages 20 40

Each measurement is a fresh process with a fresh output folder, one process each (no worker
pool): A = `specmill build --stop-after parse` (imports, source_pdf with its text-layer pass,
batch_plan, the Dagster instance, one run per batch), B = MinerU's own `parse` + content-list
rendering on the whole PDF. They alternate A B A B so drift on the machine hits both alike;
the figures are medians. Peak RSS is each child's own (os.wait4), not the benchmark's."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DOCS = ("dss-core-v2", "bash-reference", "sarif210", "bgb-2024")  # 149-456 pages

BARE_MINERU = """
import sys
from mineru.parser import parse
from mineru.render import render_content_list
from mineru.utils.logger import configure_global_log_level
if __name__ == "__main__":
    configure_global_log_level("WARNING")
    result = parse(sys.argv[1], tier="flash", ocr_mode="txt")
    print(len(render_content_list(result.middle_json)), "items")
"""


def corpus_root() -> Path:
    return Path(os.environ.get("SPECMILL_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))


def timed_child(command: list[str], env: dict[str, str], timeout_s: float) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process, which must succeed."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = started + timeout_s
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            child.wait()
            raise TimeoutError(f"{command[:4]} ran past {timeout_s} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{command[:4]} exited {child.returncode}: {stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def plan_shape(pdf: Path, min_batch_pages: int) -> list[int]:
    from schemas.profile import DocumentProfile
    from specmill.plan.batches import plan_batches
    from specmill.source.describe import describe_source

    profile = DocumentProfile()
    parameters = profile.plan.model_copy(update={"min_batch_pages": min_batch_pages})
    source = describe_source(pdf, profile)
    plan = plan_batches(source.outline.entries, source.page_count, parameters, source.sha256)
    return [batch.page_count for batch in plan.batches]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", nargs="+", default=list(DEFAULT_DOCS), help="folders of the corpus's specs/")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--min-batch-pages", type=int, nargs="+", default=[20], help="values to measure side by side")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed to one child")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="specmill-batch-cost-"))
    env = dict(os.environ, MINERU_HOME=str(work / "mineru-home"), SPECMILL_MINERU_LOG_LEVEL="WARNING")
    (work / "mineru-home").mkdir()
    specmill = str(Path(sys.executable).with_name("specmill"))
    rows = []
    for name in args.docs:
        pdfs = sorted((corpus_root() / "specs" / name).glob("*.pdf"))
        if not pdfs:
            print(f"{name}: no PDF under {corpus_root() / 'specs' / name}, skipped", file=sys.stderr)
            continue
        pdf = pdfs[0]
        profiles = {}
        for minimum in args.min_batch_pages:
            profile = work / f"min{minimum}.yaml"
            profile.write_text(f"plan:\n  min_batch_pages: {minimum}\n")
            profiles[minimum] = profile
        times: dict[str, list[tuple[float, float]]] = {"bare": []} | {f"build@{m}": [] for m in profiles}
        for repeat in range(args.repeats):
            for minimum, profile in profiles.items():
                out = work / f"{name}-{minimum}-{repeat}"
                command = [specmill, "build", str(pdf), "--out", str(out), "--profile", str(profile), "--stop-after", "parse", "--jobs", "1"]
                times[f"build@{minimum}"].append(timed_child(command, env, args.timeout))
            times["bare"].append(timed_child([sys.executable, "-c", BARE_MINERU, str(pdf)], env, args.timeout))
        bare_seconds = statistics.median(t for t, _ in times["bare"])
        bare_rss = max(r for _, r in times["bare"])
        for minimum in profiles:
            shape = plan_shape(pdf, minimum)
            seconds = statistics.median(t for t, _ in times[f"build@{minimum}"])
            rss = max(r for _, r in times[f"build@{minimum}"])
            rows.append((name, sum(shape), minimum, len(shape), min(shape), max(shape), seconds, bare_seconds, seconds / bare_seconds, rss, bare_rss))

    print("| doc | pages | min_batch_pages | batches | shortest / longest | plan + parse s | bare MinerU s | ratio | peak RSS MB (build / bare) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, pages, minimum, count, shortest, longest, seconds, bare, ratio, rss, bare_rss in rows:
        print(f"| {name} | {pages} | {minimum} | {count} | {shortest} / {longest} | {seconds:.1f} | {bare:.1f} | {ratio:.3f} | {rss:.0f} / {bare_rss:.0f} |")


if __name__ == "__main__":
    main()
