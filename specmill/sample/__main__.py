"""`python -m specmill.sample --pages N --out DIR [--seed S]`: write the sample and print its paths."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from specmill.sample.generator import MAX_PAGES, MIN_PAGES, InvalidSampleRequest, generate_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specmill.sample", description="Generate the sample specification PDF, its XSD and its ground truth.")
    parser.add_argument("--pages", type=int, default=10, help=f"exact page count of the PDF ({MIN_PAGES}-{MAX_PAGES}, default 10)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="seed; the same pages and seed give the same bytes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        sample = generate_sample(args.out, pages=args.pages, seed=args.seed)
    except InvalidSampleRequest as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"pdf:   {sample.pdf_path}")
    print(f"xsd:   {sample.xsd_path}")
    print(f"truth: {sample.ground_truth_path}")
    print(f"pages: {sample.page_count} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
