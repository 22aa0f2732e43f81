"""Deploy, update, inspect and destroy the worker's RunPod serverless endpoint.

    python -m worker.deploy up     --name specmill-worker --image ghcr.io/me/specmill-worker:1 [options]
    python -m worker.deploy status --name specmill-worker
    python -m worker.deploy down   --name specmill-worker

It talks to RunPod's REST API v1 (https://rest.runpod.io/v1; `RUNPOD_REST_URL` overrides it, for
the test emulator) with the key in `RUNPOD_API_KEY`. `up` is idempotent: it finds the template
and the endpoint by name, creates what is missing, patches only the fields that differ, and says
so. The SDK's GraphQL `create_endpoint` cannot set the execution timeout, which is why the REST
API is used. Environment values are never printed, only their names: they carry bucket keys.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

DEFAULT_REST_URL = "https://rest.runpod.io/v1"
DEFAULT_CLIENT_URL = "https://api.runpod.ai/v2"
# 24 GB cards run MinerU's VLM through vLLM comfortably; listed in order of preference.
DEFAULT_GPU_TYPE_IDS = ("NVIDIA GeForce RTX 4090", "NVIDIA RTX A5000", "NVIDIA L4")
DEFAULT_EXECUTION_TIMEOUT_MS = 1_200_000
# The worker's own parse timeout sits this far below the endpoint's execution timeout, so a
# stuck parse ends as a FAILED job that says "parse_timeout" instead of a bare TIMED_OUT.
PARSE_TIMEOUT_MARGIN_S = 120
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DeployError(Exception):
    """A deployment step could not be done; the message says what to change."""


class MissingApiKey(DeployError):
    pass


class RestApiError(DeployError):
    """RunPod's REST API refused a call."""


class AmbiguousName(DeployError):
    """Several templates or endpoints carry the name; the command will not guess which."""


@dataclass(frozen=True)
class DeploySpec:
    """What `up` makes true: one serverless template and one endpoint, both named `name`."""

    name: str
    image: str
    gpu_type_ids: tuple[str, ...] = DEFAULT_GPU_TYPE_IDS
    workers_min: int = 0
    workers_max: int = 3
    idle_timeout_s: int = 5
    execution_timeout_ms: int = DEFAULT_EXECUTION_TIMEOUT_MS
    flashboot: bool = True
    container_disk_gb: int = 40
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DeployError("--name must not be empty")
        if not self.image.strip() or any(char.isspace() for char in self.image):
            raise DeployError(f"--image {self.image!r} is not an image reference")
        if not self.gpu_type_ids:
            raise DeployError("give at least one --gpu")
        if not 0 <= self.workers_min <= self.workers_max:
            raise DeployError(f"need 0 <= --workers-min ({self.workers_min}) <= --workers-max ({self.workers_max})")
        if self.idle_timeout_s < 0 or self.execution_timeout_ms < 0 or self.container_disk_gb < 1:
            raise DeployError("--idle-timeout and --execution-timeout-ms must be >= 0, --container-disk-gb >= 1")
        for key in self.env:
            if not _ENV_NAME.match(key):
                raise DeployError(f"--env {key!r}: not a valid environment variable name")

    def template_body(self) -> dict[str, Any]:
        env = dict(self.env)
        if self.execution_timeout_ms and "WORKER_PARSE_TIMEOUT_S" not in env:
            parse_timeout = max(60, self.execution_timeout_ms // 1000 - PARSE_TIMEOUT_MARGIN_S)
            env["WORKER_PARSE_TIMEOUT_S"] = str(parse_timeout)
        return {
            "name": self.name,
            "imageName": self.image,
            "isServerless": True,
            "containerDiskInGb": self.container_disk_gb,
            "volumeInGb": 0,  # serverless templates have no pod volume
            "env": env,
        }

    def endpoint_body(self, template_id: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "templateId": template_id,
            "gpuTypeIds": list(self.gpu_type_ids),
            "gpuCount": 1,
            "workersMin": self.workers_min,
            "workersMax": self.workers_max,
            "idleTimeout": self.idle_timeout_s,
            "executionTimeoutMs": self.execution_timeout_ms,
            "flashboot": self.flashboot,
        }


@dataclass(frozen=True)
class Action:
    """One thing the command did (or found already done)."""

    verb: str  # created | updated | unchanged | deleted | absent | scaled-down
    kind: str  # template | endpoint
    name: str
    id: str | None = None
    changes: tuple[str, ...] = ()

    def describe(self) -> str:
        ident = f" (id {self.id})" if self.id else ""
        detail = f": {'; '.join(self.changes)}" if self.changes else ""
        return f"{self.kind} {self.name!r} {self.verb}{ident}{detail}"


class RunPodRest:
    """The handful of REST v1 calls a deployment needs."""

    def __init__(self, api_key: str, base_url: str = DEFAULT_REST_URL, timeout_s: float = 30.0) -> None:
        import httpx

        self._api_key = api_key
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
            timeout=timeout_s,
        )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> RunPodRest:
        env = dict(os.environ) if env is None else env
        api_key = env.get("RUNPOD_API_KEY", "")
        if not api_key:
            raise MissingApiKey("set RUNPOD_API_KEY to a RunPod API key with read/write access")
        return cls(api_key, env.get("RUNPOD_REST_URL") or DEFAULT_REST_URL)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RunPodRest:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        import httpx

        try:
            response = self._http.request(method, path, json=body)
        except httpx.HTTPError as error:
            raise RestApiError(f"{method} {path}: {type(error).__name__}: {error}") from None
        if response.status_code == 401:
            raise RestApiError(f"{method} {path}: 401 Unauthorized; check RUNPOD_API_KEY")
        if response.status_code >= 400:
            text = response.text.replace(self._api_key, "***")[:500]
            raise RestApiError(f"{method} {path}: HTTP {response.status_code}: {text}")
        return response.json() if response.content else None

    def find(self, collection: str, name: str) -> dict[str, Any] | None:
        matches = [item for item in self.call("GET", f"/{collection}") or [] if item.get("name") == name]
        if len(matches) > 1:
            ids = ", ".join(item["id"] for item in matches)
            raise AmbiguousName(f"{len(matches)} {collection} are named {name!r} ({ids}); delete the extra ones")
        return matches[0] if matches else None


def deploy_up(rest: RunPodRest, spec: DeploySpec) -> list[Action]:
    template_action, template_id = _ensure("templates", rest, spec.name, spec.template_body())
    endpoint_action, _ = _ensure("endpoints", rest, spec.name, spec.endpoint_body(template_id))
    return [template_action, endpoint_action]


def deploy_down(rest: RunPodRest, name: str) -> list[Action]:
    actions: list[Action] = []
    endpoint = rest.find("endpoints", name)
    if endpoint is None:
        actions.append(Action("absent", "endpoint", name))
    else:
        if endpoint.get("workersMin") or endpoint.get("workersMax"):
            # RunPod wants an endpoint drained of workers before it is deleted.
            rest.call("PATCH", f"/endpoints/{endpoint['id']}", {"workersMin": 0, "workersMax": 0})
            actions.append(Action("scaled-down", "endpoint", name, endpoint["id"], ("workersMin 0, workersMax 0",)))
        rest.call("DELETE", f"/endpoints/{endpoint['id']}")
        actions.append(Action("deleted", "endpoint", name, endpoint["id"]))
    template = rest.find("templates", name)
    if template is None:
        actions.append(Action("absent", "template", name))
    else:
        rest.call("DELETE", f"/templates/{template['id']}")
        actions.append(Action("deleted", "template", name, template["id"]))
    return actions


def deploy_status(rest: RunPodRest, name: str) -> dict[str, Any] | None:
    """The endpoint (with its template) as RunPod reports it, or None when absent."""
    endpoint = rest.find("endpoints", name)
    if endpoint is None:
        return None
    return rest.call("GET", f"/endpoints/{endpoint['id']}?includeTemplate=true")


def _ensure(collection: str, rest: RunPodRest, name: str, desired: dict[str, Any]) -> tuple[Action, str]:
    kind = collection.rstrip("s")
    current = rest.find(collection, name)
    if current is None:
        created = rest.call("POST", f"/{collection}", desired)
        return Action("created", kind, name, created["id"], _summary(desired)), created["id"]
    # Fields fixed at creation (isServerless) cannot be patched; everything else converges.
    patch = {key: value for key, value in desired.items() if key != "isServerless" and current.get(key) != value}
    if not patch:
        return Action("unchanged", kind, name, current["id"]), current["id"]
    rest.call("PATCH", f"/{collection}/{current['id']}", patch)
    changes = tuple(_change(key, current.get(key), value) for key, value in sorted(patch.items()))
    return Action("updated", kind, name, current["id"], changes), current["id"]


def _summary(body: dict[str, Any]) -> tuple[str, ...]:
    return tuple(_show(key, value) for key, value in body.items() if key not in ("name",))


def _show(key: str, value: Any) -> str:
    if key == "env":
        return f"env {sorted(value) or '(none)'}"
    return f"{key} {value!r}"


def _change(key: str, old: Any, new: Any) -> str:
    if key == "env":
        old, new = old or {}, new or {}
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
        parts = [f"{label} {keys}" for label, keys in (("added", added), ("removed", removed), ("changed", changed)) if keys]
        return "env " + ", ".join(parts)
    return f"{key} {old!r} -> {new!r}"


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise DeployError(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return env


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m worker.deploy",
        description="Create, update, inspect or delete the worker's RunPod template and endpoint (REST API v1).",
        epilog="Environment: RUNPOD_API_KEY (required), RUNPOD_REST_URL (default %s), "
        "RUNPOD_ENDPOINT_BASE_URL (client API, default %s). Put credentials in RunPod secrets and "
        "pass them as --env BUCKET_SECRET_ACCESS_KEY='{{ RUNPOD_SECRET_bucket_secret }}'."
        % (DEFAULT_REST_URL, DEFAULT_CLIENT_URL),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="create or update the template and the endpoint")
    up.add_argument("--name", required=True, help="name of both the template and the endpoint")
    up.add_argument("--image", required=True, help="the worker image, e.g. ghcr.io/me/specmill-worker:1")
    up.add_argument("--gpu", action="append", dest="gpus", metavar="GPU_TYPE_ID",
                    help=f"RunPod GPU type id, repeatable, in order of preference (default: {', '.join(DEFAULT_GPU_TYPE_IDS)})")  # fmt: skip
    up.add_argument("--workers-min", type=int, default=0, help="always-on workers (default 0)")
    up.add_argument("--workers-max", type=int, default=3, help="most concurrent workers (default 3)")
    up.add_argument("--idle-timeout", type=int, default=5, help="seconds an idle worker stays up (default 5)")
    up.add_argument("--execution-timeout-ms", type=int, default=DEFAULT_EXECUTION_TIMEOUT_MS,
                    help=f"a job running longer is TIMED_OUT (default {DEFAULT_EXECUTION_TIMEOUT_MS})")  # fmt: skip
    up.add_argument("--flashboot", action=argparse.BooleanOptionalAction, default=True,
                    help="restore workers from a snapshot for fast cold starts (default on)")  # fmt: skip
    up.add_argument("--container-disk-gb", type=int, default=40, help="container disk (default 40)")
    up.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="worker environment, repeatable")
    for name in ("down", "status"):
        sub = commands.add_parser(name, help="delete the endpoint and template" if name == "down" else "show the endpoint")
        sub.add_argument("--name", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with RunPodRest.from_env() as rest:
            if args.command == "up":
                spec = DeploySpec(
                    name=args.name,
                    image=args.image,
                    gpu_type_ids=tuple(args.gpus) if args.gpus else DEFAULT_GPU_TYPE_IDS,
                    workers_min=args.workers_min,
                    workers_max=args.workers_max,
                    idle_timeout_s=args.idle_timeout,
                    execution_timeout_ms=args.execution_timeout_ms,
                    flashboot=args.flashboot,
                    container_disk_gb=args.container_disk_gb,
                    env=_parse_env(args.env),
                )
                actions = deploy_up(rest, spec)
                for action in actions:
                    print(action.describe())
                client_url = os.environ.get("RUNPOD_ENDPOINT_BASE_URL") or DEFAULT_CLIENT_URL
                print(f"endpoint id: {actions[-1].id}")
                print(f"submit jobs to: {client_url.rstrip('/')}/{actions[-1].id}/run")
            elif args.command == "down":
                for action in deploy_down(rest, args.name):
                    print(action.describe())
            else:
                endpoint = deploy_status(rest, args.name)
                if endpoint is None:
                    print(f"endpoint {args.name!r} absent")
                    return 1
                _print_status(endpoint)
    except DeployError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _print_status(endpoint: dict[str, Any]) -> None:
    template = endpoint.get("template") or {}
    print(f"endpoint {endpoint.get('name')!r} (id {endpoint['id']})")
    print(f"  image: {template.get('imageName', '?')}  (template {endpoint.get('templateId')})")
    for key in ("gpuTypeIds", "workersMin", "workersMax", "idleTimeout", "executionTimeoutMs", "flashboot"):
        print(f"  {key}: {endpoint.get(key)!r}")
    print(f"  env: {sorted(template.get('env') or {})}")


if __name__ == "__main__":
    sys.exit(main())
