"""A loopback emulator of RunPod's serverless control plane, for tests.

    from tests.support.runpod_emulator import RunPodEmulator, JobStatus

    with RunPodEmulator() as emulator:
        runpod.api_key = emulator.api_key
        runpod.endpoint_url_base = emulator.client_base_url
        env = {**os.environ, **emulator.worker_env()}   # for `python -m worker`
        ...
        emulator.faults.fail_job_takes(2)               # see FaultPlan for the others
"""

from .control import KNOWN_GPU_TYPE_IDS, ControlPlane
from .jobs import FINAL_STATUSES, BoardEvent, EmulatedJob, FaultPlan, JobBoard, JobStatus
from .server import RunPodEmulator

__all__ = [
    "FINAL_STATUSES",
    "KNOWN_GPU_TYPE_IDS",
    "BoardEvent",
    "ControlPlane",
    "EmulatedJob",
    "FaultPlan",
    "JobBoard",
    "JobStatus",
    "RunPodEmulator",
]
