"""specmill's RunPod serverless worker: MinerU on a page range, results inline, archived or on S3.

Depends on `schemas` and nothing else of specmill. Heavy libraries (mineru, boto3, runpod,
opentelemetry) are imported inside the functions that need them, so importing this package
is cheap and a CPU machine can run the unit tests.

Entry points:
- `python -m worker`: the production path (warmup, then RunPod's JobScaler on one event loop).
- `python -m worker.handler --test_input '<json>'`: RunPod's local test mode, one job.
- `python -m worker.schema_export OUT_DIR`: JSON Schema of the job input and output.
"""

WORKER_VERSION = "0.1.0"
