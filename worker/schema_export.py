"""Export the JSON Schema of the worker API: `python -m worker.schema_export OUT_DIR`.

Clients in other languages validate jobs against these files; the copies committed under
worker/schema/ are checked against the models by a test, so they cannot go stale.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from schemas.worker_api import JobFailure, JobInput, JobOutput

SCHEMA_FILES = {
    "job_input.schema.json": JobInput,
    "job_output.schema.json": JobOutput,
    "job_failure.schema.json": JobFailure,
}


def schema_documents() -> dict[str, dict[str, Any]]:
    documents = {}
    for file_name, model in SCHEMA_FILES.items():
        # Validation mode for the input (what a client may send), serialization mode for the
        # output (what the worker writes).
        mode = "validation" if model is JobInput else "serialization"
        schema = model.model_json_schema(mode=mode)
        documents[file_name] = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return documents


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, document in schema_documents().items():
        target = out_dir / file_name
        with tempfile.NamedTemporaryFile("w", dir=out_dir, prefix=f".{file_name}.", delete=False, encoding="utf-8") as handle:
            handle.write(render(document))
        os.replace(handle.name, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m worker.schema_export OUT_DIR", file=sys.stderr)
        return 2
    for path in export_schemas(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
