"""The `runpod` parser backend: each batch is one job on the project's GPU worker (worker/) on a
RunPod serverless endpoint. One module per concern:

- `options.py`   the backend's settings from the environment and flags (`RunPodOptions`)
- `parser.py`    the `parser` resource (`RunPodParser`): one batch from upload to artifact
- `jobs.py`      what each final state of a job means: a result, a re-run, or an error
- `failures.py`  the errors of the backend, and which worker error kinds a re-run can fix
- `bucket.py`    the bucket shared with the worker: sources uploaded once, result URLs re-signed
- `pool.py`      the Dagster pool "parse", sized to the endpoint's workersMax
- `size_pool.py` `python -m resources.runpod.size_pool`: that sizing as a command

The flow of one batch:
1. The source PDF is uploaded to the bucket once, under `<prefix>/sources/<sha256>.pdf` (a HEAD
   first: a re-run or another batch finds it there). Batches are never pre-split: every job gets
   a presigned GET `file_url` of the whole PDF plus its `start_page`/`end_page`.
2. The job is submitted and polled (specmill.parse.runpod_client) with bounded exponential
   backoff under one total deadline per batch (past it the job is cancelled). Final states are
   handled one by one (jobs.py), because the SDK returns None for a FAILED job instead of raising.
   At most `max_attempts` jobs per batch.
3. Results: inline, tarball_b64 or s3 (the worker reroutes an inline result over its response cap
   to s3). An s3 archive is downloaded with a size cap, checked against the declared sha256 and
   unpacked in memory with no links, no paths outside the archive and size caps. An expired
   result URL is re-signed with the same bucket's credentials; only if the object itself is gone
   is the job re-run.
4. The content list is normalized with specmill.parse.normalize (page_idx is absolute: the worker
   uses MinerU 4's page_range) and packaged with specmill.parse.parsed.build_artifact.
"""
