"""The slice of RunPod's REST API v1 that deploys a serverless worker: templates and endpoints.

Kept in memory. Field names, defaults and the create/patch field sets follow the v1 OpenAPI
reference (https://rest.runpod.io/v1); unknown fields are rejected so that a deploy command that
misspells a field fails here instead of being silently ignored in production.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from typing import Any, Callable

from .jobs import RejectedRequest

# GPU type ids as RunPod's REST API spells them (docs.runpod.io/references/gpu-types).
KNOWN_GPU_TYPE_IDS = frozenset(
    {
        "AMD Instinct MI300X OAM",
        "NVIDIA A100 80GB PCIe",
        "NVIDIA A100-SXM4-80GB",
        "NVIDIA A30",
        "NVIDIA A40",
        "NVIDIA B200",
        "NVIDIA GeForce RTX 3070",
        "NVIDIA GeForce RTX 3080",
        "NVIDIA GeForce RTX 3080 Ti",
        "NVIDIA GeForce RTX 3090",
        "NVIDIA GeForce RTX 3090 Ti",
        "NVIDIA GeForce RTX 4070 Ti",
        "NVIDIA GeForce RTX 4080",
        "NVIDIA GeForce RTX 4080 SUPER",
        "NVIDIA GeForce RTX 4090",
        "NVIDIA GeForce RTX 5080",
        "NVIDIA GeForce RTX 5090",
        "NVIDIA H100 80GB HBM3",
        "NVIDIA H100 NVL",
        "NVIDIA H100 PCIe",
        "NVIDIA H200",
        "NVIDIA L4",
        "NVIDIA L40",
        "NVIDIA L40S",
        "NVIDIA RTX 2000 Ada Generation",
        "NVIDIA RTX 4000 Ada Generation",
        "NVIDIA RTX 4000 SFF Ada Generation",
        "NVIDIA RTX 5000 Ada Generation",
        "NVIDIA RTX 6000 Ada Generation",
        "NVIDIA RTX A2000",
        "NVIDIA RTX A4000",
        "NVIDIA RTX A4500",
        "NVIDIA RTX A5000",
        "NVIDIA RTX A6000",
    }
)

_STR, _INT, _BOOL = str, int, bool
_STR_LIST, _STR_MAP = "list[str]", "dict[str,str]"

_TEMPLATE_FIELDS: dict[str, Any] = {
    "name": _STR,
    "imageName": _STR,
    "category": _STR,
    "containerDiskInGb": _INT,
    "containerRegistryAuthId": _STR,
    "dockerEntrypoint": _STR_LIST,
    "dockerStartCmd": _STR_LIST,
    "env": _STR_MAP,
    "isPublic": _BOOL,
    "isServerless": _BOOL,
    "ports": _STR_LIST,
    "readme": _STR,
    "volumeInGb": _INT,
    "volumeMountPath": _STR,
}
_TEMPLATE_PATCHABLE = frozenset(_TEMPLATE_FIELDS) - {"category", "isServerless"}
_TEMPLATE_DEFAULTS: dict[str, Any] = {
    "category": "NVIDIA",
    "containerDiskInGb": 50,
    "dockerEntrypoint": [],
    "dockerStartCmd": [],
    "env": {},
    "isPublic": False,
    "isServerless": False,
    "ports": [],
    "readme": "",
    "volumeInGb": 20,
    "volumeMountPath": "/workspace",
}

_ENDPOINT_FIELDS: dict[str, Any] = {
    "templateId": _STR,
    "name": _STR,
    "computeType": _STR,
    "allowedCudaVersions": _STR_LIST,
    "cpuFlavorIds": _STR_LIST,
    "dataCenterIds": _STR_LIST,
    "executionTimeoutMs": _INT,
    "flashboot": _BOOL,
    "gpuCount": _INT,
    "gpuTypeIds": _STR_LIST,
    "idleTimeout": _INT,
    "networkVolumeId": _STR,
    "scalerType": _STR,
    "scalerValue": _INT,
    "vcpuCount": _INT,
    "workersMax": _INT,
    "workersMin": _INT,
}
_ENDPOINT_PATCHABLE = frozenset(_ENDPOINT_FIELDS) - {"computeType"}
_ENDPOINT_DEFAULTS: dict[str, Any] = {
    "computeType": "GPU",
    "executionTimeoutMs": 600_000,
    "flashboot": False,
    "gpuCount": 1,
    "gpuTypeIds": ["NVIDIA GeForce RTX 4090"],
    "idleTimeout": 5,
    "scalerType": "QUEUE_DELAY",
    "scalerValue": 4,
    "workersMax": 3,
    "workersMin": 0,
}


class NotFound(LookupError):
    """No template or endpoint with that id (the API answers 404)."""


class ControlPlane:
    """Templates and endpoints of one emulated account.

    `on_endpoint_saved(endpoint)` / `on_endpoint_deleted(id)` let the job board serve jobs for
    endpoints created here, with their `executionTimeoutMs` as the default job timeout."""

    def __init__(
        self,
        *,
        on_endpoint_saved: Callable[[dict[str, Any]], None] = lambda endpoint: None,
        on_endpoint_deleted: Callable[[str], None] = lambda endpoint_id: None,
        user_id: str = "user_emulated",
    ) -> None:
        self._lock = threading.Lock()
        self._templates: dict[str, dict[str, Any]] = {}
        self._endpoints: dict[str, dict[str, Any]] = {}
        self._on_endpoint_saved = on_endpoint_saved
        self._on_endpoint_deleted = on_endpoint_deleted
        self._user_id = user_id

    # -- templates ----------------------------------------------------------------------------

    def create_template(self, body: Any) -> dict[str, Any]:
        fields = _checked_fields(body, _TEMPLATE_FIELDS, frozenset(_TEMPLATE_FIELDS), "template")
        for required in ("name", "imageName"):
            if not fields.get(required):
                raise RejectedRequest(f"template field '{required}' is required")
        with self._lock:
            if any(t["name"] == fields["name"] for t in self._templates.values()):
                raise RejectedRequest(f"a template named {fields['name']!r} already exists; template names are unique")
            template = {**copy.deepcopy(_TEMPLATE_DEFAULTS), **fields, "id": _new_id(10)}
            template.update(isRunpod=False, earned=0, runtimeInMin=0)
            self._templates[template["id"]] = template
            return copy.deepcopy(template)

    def list_templates(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._templates.values()))

    def get_template(self, template_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._template_locked(template_id))

    def update_template(self, template_id: str, body: Any) -> dict[str, Any]:
        fields = _checked_fields(body, _TEMPLATE_FIELDS, _TEMPLATE_PATCHABLE, "template")
        with self._lock:
            template = self._template_locked(template_id)
            new_name = fields.get("name")
            if new_name and any(t["name"] == new_name and t["id"] != template_id for t in self._templates.values()):
                raise RejectedRequest(f"a template named {new_name!r} already exists; template names are unique")
            template.update(fields)
            return copy.deepcopy(template)

    def delete_template(self, template_id: str) -> None:
        with self._lock:
            self._template_locked(template_id)
            users = [e["id"] for e in self._endpoints.values() if e["templateId"] == template_id]
            if users:
                raise RejectedRequest(f"template {template_id} is used by endpoint(s) {', '.join(users)}; delete them first")
            del self._templates[template_id]

    # -- endpoints ----------------------------------------------------------------------------

    def create_endpoint(self, body: Any) -> dict[str, Any]:
        fields = _checked_fields(body, _ENDPOINT_FIELDS, frozenset(_ENDPOINT_FIELDS), "endpoint")
        if not fields.get("templateId"):
            raise RejectedRequest("endpoint field 'templateId' is required")
        with self._lock:
            self._template_locked(fields["templateId"])
            endpoint = {**copy.deepcopy(_ENDPOINT_DEFAULTS), **fields}
            _check_endpoint(endpoint)
            endpoint.update(
                id=_new_id(14),
                userId=self._user_id,
                createdAt=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                version=0,
                name=fields.get("name") or "",
            )
            self._endpoints[endpoint["id"]] = endpoint
            saved = copy.deepcopy(endpoint)
        self._on_endpoint_saved(saved)
        return saved

    def list_endpoints(self, include_template: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            return [self._render_endpoint_locked(e, include_template) for e in self._endpoints.values()]

    def get_endpoint(self, endpoint_id: str, include_template: bool = False) -> dict[str, Any]:
        with self._lock:
            return self._render_endpoint_locked(self._endpoint_locked(endpoint_id), include_template)

    def update_endpoint(self, endpoint_id: str, body: Any) -> dict[str, Any]:
        fields = _checked_fields(body, _ENDPOINT_FIELDS, _ENDPOINT_PATCHABLE, "endpoint")
        with self._lock:
            endpoint = self._endpoint_locked(endpoint_id)
            if "templateId" in fields:
                self._template_locked(fields["templateId"])
            candidate = {**endpoint, **fields}
            _check_endpoint(candidate)
            endpoint.update(fields)
            endpoint["version"] += 1
            saved = copy.deepcopy(endpoint)
        self._on_endpoint_saved(saved)
        return saved

    def delete_endpoint(self, endpoint_id: str) -> None:
        with self._lock:
            self._endpoint_locked(endpoint_id)
            del self._endpoints[endpoint_id]
        self._on_endpoint_deleted(endpoint_id)

    # -- internals ----------------------------------------------------------------------------

    def _template_locked(self, template_id: str) -> dict[str, Any]:
        try:
            return self._templates[template_id]
        except KeyError:
            raise NotFound(f"template {template_id} not found") from None

    def _endpoint_locked(self, endpoint_id: str) -> dict[str, Any]:
        try:
            return self._endpoints[endpoint_id]
        except KeyError:
            raise NotFound(f"endpoint {endpoint_id} not found") from None

    def _render_endpoint_locked(self, endpoint: dict[str, Any], include_template: bool) -> dict[str, Any]:
        rendered = copy.deepcopy(endpoint)
        if include_template:
            rendered["template"] = copy.deepcopy(self._templates.get(endpoint["templateId"]))
        return rendered


def _checked_fields(body: Any, types: dict[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RejectedRequest(f"the {what} body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RejectedRequest(f"unknown or read-only {what} field(s): {', '.join(unknown)}")
    for key, value in body.items():
        if not _has_type(value, types[key]):
            raise RejectedRequest(f"{what} field '{key}' must be {getattr(types[key], '__name__', types[key])}")
    return copy.deepcopy(body)


def _has_type(value: Any, expected: Any) -> bool:
    if expected == _STR_LIST:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if expected == _STR_MAP:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _check_endpoint(endpoint: dict[str, Any]) -> None:
    if endpoint["workersMin"] < 0 or endpoint["workersMax"] < 0:
        raise RejectedRequest("workersMin and workersMax must not be negative")
    if endpoint["workersMin"] > endpoint["workersMax"]:
        raise RejectedRequest(
            f"workersMin ({endpoint['workersMin']}) must not exceed workersMax ({endpoint['workersMax']})"
        )
    if endpoint["executionTimeoutMs"] < 0 or endpoint["idleTimeout"] < 0:
        raise RejectedRequest("executionTimeoutMs and idleTimeout must not be negative")
    unknown_gpus = [gpu for gpu in endpoint.get("gpuTypeIds", []) if gpu not in KNOWN_GPU_TYPE_IDS]
    if unknown_gpus:
        raise RejectedRequest(f"unknown gpuTypeIds: {', '.join(unknown_gpus)}")
    if endpoint["scalerType"] not in ("QUEUE_DELAY", "REQUEST_COUNT"):
        raise RejectedRequest("scalerType must be QUEUE_DELAY or REQUEST_COUNT")


def _new_id(length: int) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
