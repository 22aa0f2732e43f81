"""`python -m tests.support.runpod_emulator --port P`: serve the emulator until interrupted.

Prints one JSON line with the addresses and keys, then the worker environment, so a shell script
or another process can wire a client and a worker to it."""

from __future__ import annotations

import argparse
import json
import signal
import sys

from .server import RunPodEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.runpod_emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: pick a free one)")
    parser.add_argument("--api-key", default="emulator-api-key", help="key clients send as 'Bearer <key>'")
    parser.add_argument("--worker-key", default=None, help="key workers send (default: <api-key>-worker)")
    parser.add_argument("--endpoint-id", default="specmill-emulated", help="id of the endpoint served from the start")
    parser.add_argument("--execution-timeout-ms", type=int, default=600_000, help="the endpoint's default job timeout")
    parser.add_argument("--min-execution-timeout-ms", type=int, default=5_000, help="smallest policy.executionTimeout accepted")
    parser.add_argument("--long-poll-s", type=float, default=1.0, help="how long job-take and job-stop polls are held")
    args = parser.parse_args(argv)

    emulator = RunPodEmulator(
        api_key=args.api_key,
        worker_key=args.worker_key,
        endpoint_id=args.endpoint_id,
        execution_timeout_ms=args.execution_timeout_ms,
        min_execution_timeout_ms=args.min_execution_timeout_ms,
        long_poll_s=args.long_poll_s,
        port=args.port,
    )
    # SIGTERM ends the process the same way Ctrl-C does: a clean shutdown of the server threads.
    signal.signal(signal.SIGTERM, lambda signum, frame: emulator.request_stop())
    print(
        json.dumps(
            {
                "url": emulator.url,
                "client_base_url": emulator.client_base_url,
                "rest_base_url": emulator.rest_base_url,
                "api_key": emulator.api_key,
                "endpoint_id": emulator.endpoint_id,
                "worker_env": emulator.worker_env(),
            }
        ),
        flush=True,
    )
    emulator.serve_until_interrupted()
    return 0


if __name__ == "__main__":
    sys.exit(main())
