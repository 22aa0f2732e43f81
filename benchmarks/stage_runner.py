"""Run one post-parse stage of an existing build in a fresh process and print its figures as JSON
(used by benchmarks.scale to get each stage's own peak RSS)."""

import json
import resource
import time
from pathlib import Path


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("stage")
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--schemas", type=Path, nargs="*", default=[])
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    from definitions import stage_job_name
    from specmill_cli.pipeline import BuildOptions, build_graph, execute_job

    stage = args.stage
    defs, instance = build_graph(BuildOptions(pdf=args.pdf, out=args.out, profile=args.profile, schemas=tuple(args.schemas)))
    started = time.perf_counter()
    outcome = execute_job(defs, instance, stage_job_name(stage))
    print(json.dumps({
        "stage": stage,
        "success": outcome.success,
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "checks_failed": [c["name"] for c in outcome.checks if not c["passed"]],
        "figures": {k: v for k, v in outcome.figures.items() if isinstance(v, (int, float))},
    }))


if __name__ == "__main__":
    main()
