"""`python -m worker`: the production path (warmup, then RunPod's job loop)."""

import sys

from worker.lifecycle import main

if __name__ == "__main__":
    sys.exit(main())
