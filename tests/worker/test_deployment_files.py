"""The deployment files agree with the code they deploy: the Hub metadata, its test jobs, the
Dockerfile and the image's requirements. Each check catches a mistake that otherwise shows up
only after a multi-GB image build or a Hub review."""

from __future__ import annotations

import ast
import base64
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from schemas.worker_api import JobInput
from tests.support.runpod_emulator import KNOWN_GPU_TYPE_IDS

REPO_ROOT = Path(__file__).resolve().parents[2]
HUB_JSON = REPO_ROOT / ".runpod" / "hub.json"
TESTS_JSON = REPO_ROOT / ".runpod" / "tests.json"
DOCKERFILE = REPO_ROOT / "worker" / "Dockerfile"
REQUIREMENTS = REPO_ROOT / "worker" / "requirements-gpu.txt"
HUB_DESCRIPTION_LIMIT = 191  # the Hub refuses longer description strings

# Import name -> distribution that provides it in the image.
_PROVIDERS = {
    "boto3": "boto3",
    "botocore": "boto3",
    "docvortex": "mineru",  # MinerU's own export library, installed with it
    "httpx": "httpx",
    "mineru": "mineru",
    "opentelemetry": "opentelemetry-sdk",
    "pydantic": "pydantic",
    "regex": "regex",
    "pydantic_core": "pydantic",
    "pymupdf": "pymupdf",
    "fitz": "pymupdf",
    "runpod": "runpod",
    "yaml": "pyyaml",
}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _strings_under(node: Any, key: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, str):
                found.append(value)
            found.extend(_strings_under(value, key))
    elif isinstance(node, list):
        for item in node:
            found.extend(_strings_under(item, key))
    return found


def _worker_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted((REPO_ROOT / "worker").glob("*.py")))


# -- .runpod/hub.json ------------------------------------------------------------------------------


def test_hub_json_has_the_required_keys() -> None:
    hub = _load(HUB_JSON)
    for key in ("title", "description", "type", "category", "config"):
        assert hub.get(key), f"hub.json lacks {key!r}"
    assert hub["type"] == "serverless"
    config = hub["config"]
    assert config["runsOn"] == "GPU"
    assert isinstance(config["containerDiskInGb"], int) and config["containerDiskInGb"] >= 20
    assert isinstance(config["gpuIds"], str) and config["gpuIds"].strip()
    assert isinstance(config["env"], list) and config["env"]


def test_every_hub_description_fits_the_hub_limit() -> None:
    descriptions = _strings_under(_load(HUB_JSON), "description")
    assert descriptions
    too_long = [text for text in descriptions if len(text) > HUB_DESCRIPTION_LIMIT]
    assert too_long == [], f"descriptions over {HUB_DESCRIPTION_LIMIT} characters: {too_long}"


def test_every_hub_env_entry_is_a_form_field_the_worker_reads() -> None:
    source = _worker_source()
    keys = []
    for entry in _load(HUB_JSON)["config"]["env"]:
        key, form = entry["key"], entry["input"]
        keys.append(key)
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), key
        assert form.get("name") and form.get("type") and form.get("description"), key
        assert f'"{key}"' in source, f"{key} is offered in hub.json but no worker module reads it"
    assert len(keys) == len(set(keys)), "an env key is listed twice"


# -- .runpod/tests.json ----------------------------------------------------------------------------


def test_hub_test_jobs_are_valid_job_inputs_for_a_real_pdf() -> None:
    spec = _load(TESTS_JSON)
    assert spec["tests"]
    for test in spec["tests"]:
        job = JobInput.model_validate(test["input"])  # strict: a typo fails here, not in review
        assert isinstance(test["timeout"], int) and test["timeout"] >= 60_000, test["name"]
        assert job.file_b64 is not None and base64.b64decode(job.file_b64).startswith(b"%PDF-")
    assert {JobInput.model_validate(test["input"]).mineru_tier for test in spec["tests"]} & {"standard", "advanced"}, (
        "no Hub test exercises the GPU (VLM) path"
    )
    assert spec["config"]["gpuTypeId"] in KNOWN_GPU_TYPE_IDS


# -- worker/Dockerfile ---------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    pairs = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            word, _, rest = stripped.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def test_the_dockerfile_cmd_runs_the_worker_module_that_exists() -> None:
    [cmd] = [rest for word, rest in _instructions() if word == "CMD"]
    argv = json.loads(cmd)  # exec form, so SIGTERM reaches Python rather than a shell
    assert argv[:2] == ["python", "-m"], argv
    module = argv[2]
    module_path = REPO_ROOT.joinpath(*module.split("."))
    assert (module_path / "__main__.py").is_file() or module_path.with_suffix(".py").is_file(), module


def test_the_dockerfile_copies_only_existing_worker_and_schema_sources() -> None:
    sources = []
    for word, rest in _instructions():
        if word == "COPY" and not rest.startswith("--from"):
            sources.extend(rest.split()[:-1])
    assert sources, "no COPY instruction"
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert source.split("/")[0] in ("worker", "schemas"), f"{source}: only worker/ and schemas/ belong in the image"


def test_models_are_downloaded_at_build_time_and_the_image_runs_offline() -> None:
    instructions = _instructions()
    download = next(i for i, (word, rest) in enumerate(instructions) if word == "RUN" and "mineru-models-download" in rest)
    offline = next(i for i, (word, rest) in enumerate(instructions) if word == "ENV" and "HF_HUB_OFFLINE=1" in rest)
    assert offline > download, "offline mode must be switched on after the weights are downloaded"
    assert "MINERU_MODEL_SOURCE=local" in instructions[offline][1]


def test_the_image_requirements_match_the_development_environment() -> None:
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[\[<>=!~ ]", line, maxsplit=1)[0].lower()
            pins[name] = line
    assert pins["runpod"] == "runpod==1.10.0"  # lifecycle.py uses runpod's private modules
    assert pins["mineru"] == f"mineru[full]=={version('mineru')}"


def test_every_import_of_the_worker_is_provided_by_the_image() -> None:
    """worker/ and schemas/ may import the standard library, each other, and what
    requirements-gpu.txt installs; anything else would fail in the image only."""
    required = {
        re.split(r"[\[<>=!~ ]", line.split("#", 1)[0].strip(), maxsplit=1)[0].lower()
        for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    }
    unprovided = []
    for path in sorted([*(REPO_ROOT / "worker").glob("*.py"), *(REPO_ROOT / "schemas").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in ("worker", "schemas", "__future__"):
                    continue
                if _PROVIDERS.get(top) not in required:
                    unprovided.append(f"{path.relative_to(REPO_ROOT)}: {name}")
    assert unprovided == [], "imports the image does not install: " + ", ".join(unprovided)


@pytest.mark.parametrize("path", [HUB_JSON, TESTS_JSON])
def test_hub_files_are_plain_json_objects(path: Path) -> None:
    assert isinstance(_load(path), dict)
