"""The Dagster side opens its bucket one way (resources/s3_client.py): no other module there makes
a boto3 client, none imports boto3 before it needs one, and the addressing suits the store."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from resources.s3_client import BucketSettings, s3_client

REPO_ROOT = Path(__file__).resolve().parent.parent
DAGSTER_SIDE = ["definitions.py", "assets", "checks", "resources", "specmill_cli", "specmill"]


def modules_calling_boto3_client() -> list[str]:
    found = []
    for entry in DAGSTER_SIDE:
        root = REPO_ROOT / entry
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("client", "resource")
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "boto3"
                ):  # fmt: skip
                    found.append(str(path.relative_to(REPO_ROOT)))
    return found


def test_only_the_factory_makes_a_boto3_client_on_the_dagster_side():
    assert modules_calling_boto3_client() == ["resources/s3_client.py"]


def test_no_bucket_user_imports_boto3_before_it_needs_a_client():
    code = (
        "import sys, definitions, resources.s3_storage, resources.runpod.parser, resources.runpod.size_pool; "
        "print(sorted(name for name in ('boto3', 'botocore', 'dagster_aws') if name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_s3_compatible_endpoint_is_addressed_by_path_and_aws_keeps_its_default():
    compatible = s3_client(BucketSettings(endpoint_url="http://127.0.0.1:9", region_name="us-east-1", access_key_id="a", secret_access_key="b"))
    assert compatible.meta.config.s3 == {"addressing_style": "path"}
    assert compatible.meta.config.signature_version == "s3v4"
    url = compatible.generate_presigned_url("get_object", Params={"Bucket": "docs", "Key": "k.pdf"}, ExpiresIn=60)
    assert url.startswith("http://127.0.0.1:9/docs/k.pdf?")
    aws = s3_client(BucketSettings(region_name="eu-west-1", access_key_id="a", secret_access_key="b"))
    assert not (aws.meta.config.s3 or {}).get("addressing_style")
