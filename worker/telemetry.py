"""OpenTelemetry traces, metrics and logs over OTLP/HTTP — dormant unless asked for.

Without OTEL_EXPORTER_OTLP_ENDPOINT the worker uses `DormantTelemetry`, and the OpenTelemetry
SDK is never imported: nothing to configure, no exporter threads, no import cost at boot.
With it, spans (job, fetch_input, parse, package, warmup), metrics and the JSON log records
are exported to that endpoint; the standard OTEL_* variables (headers, service name,
resource attributes) are honoured by the SDK itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

SERVICE_NAME = "specmill-worker"
ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"


class SpanHandle:
    """What a stage may do to its span; the dormant one does nothing."""

    def set(self, **attributes: Any) -> None:
        pass

    def fail(self, description: str) -> None:
        pass


class Telemetry:
    """What the worker reports to; this base does nothing, which is the dormant behaviour."""

    enabled = False

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[SpanHandle]:
        yield SpanHandle()

    def stage_finished(self, stage: str, seconds: float) -> None:
        pass

    def job_finished(
        self, *, status: str, tier: str, pages: int, input_bytes: int, output_bytes: int, seconds: float, pages_per_s: float
    ) -> None:
        pass

    def log(self, record: dict[str, Any]) -> None:
        pass

    def flush(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


class DormantTelemetry(Telemetry):
    """No endpoint configured: every call is a no-op and no OpenTelemetry module is loaded."""


def start_telemetry(env: Mapping[str, str] | None = None) -> Telemetry:
    """Exporting telemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set, else the dormant kind."""
    env = os.environ if env is None else env
    if not env.get(ENDPOINT_ENV):
        return DormantTelemetry()
    return OtlpTelemetry(service_name=env.get("OTEL_SERVICE_NAME") or SERVICE_NAME)


class _OtelSpan(SpanHandle):
    def __init__(self, span: Any) -> None:
        self._span = span

    def set(self, **attributes: Any) -> None:
        for key, value in attributes.items():
            if isinstance(value, (str, bool, int, float)):
                self._span.set_attribute(key, value)

    def fail(self, description: str) -> None:
        from opentelemetry.trace import Status, StatusCode

        self._span.set_status(Status(StatusCode.ERROR, description))


class OtlpTelemetry(Telemetry):
    """Providers are private to this object (not the global ones), so a test or a second
    worker in one process cannot inherit another's exporters."""

    enabled = True

    def __init__(self, *, service_name: str) -> None:
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        from worker import WORKER_VERSION

        resource = Resource.create({"service.name": service_name, "service.version": WORKER_VERSION})
        self._tracer_provider = TracerProvider(resource=resource)
        self._tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        self._meter_provider = MeterProvider(
            resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
        )
        self._logger_provider = LoggerProvider(resource=resource)
        self._logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))

        self._tracer = self._tracer_provider.get_tracer("worker")
        self._logger = self._logger_provider.get_logger("worker")
        meter = self._meter_provider.get_meter("worker")
        self._jobs = meter.create_counter("worker.jobs", unit="{job}", description="Jobs finished, by status and tier")
        self._pages = meter.create_counter("worker.pages", unit="{page}", description="Pages parsed")
        self._input_bytes = meter.create_counter("worker.input.bytes", unit="By", description="Input document bytes")
        self._output_bytes = meter.create_counter("worker.output.bytes", unit="By", description="Result bytes delivered")
        self._job_seconds = meter.create_histogram("worker.job.duration", unit="s", description="Job wall time")
        self._stage_seconds = meter.create_histogram("worker.stage.duration", unit="s", description="Stage wall time")
        self._pages_per_s = meter.create_histogram("worker.pages_per_s", unit="{page}/s", description="Parse throughput")

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[SpanHandle]:
        with self._tracer.start_as_current_span(name, record_exception=False, set_status_on_exception=False) as span:
            handle = _OtelSpan(span)
            handle.set(**attributes)
            yield handle

    def stage_finished(self, stage: str, seconds: float) -> None:
        self._stage_seconds.record(seconds, {"stage": stage})

    def job_finished(
        self, *, status: str, tier: str, pages: int, input_bytes: int, output_bytes: int, seconds: float, pages_per_s: float
    ) -> None:
        labels = {"status": status, "tier": tier}
        self._jobs.add(1, labels)
        self._pages.add(pages, labels)
        self._input_bytes.add(input_bytes, labels)
        self._output_bytes.add(output_bytes, labels)
        self._job_seconds.record(seconds, labels)
        if pages_per_s > 0:
            self._pages_per_s.record(pages_per_s, labels)

    def log(self, record: dict[str, Any]) -> None:
        from opentelemetry._logs import SeverityNumber

        severity = {"error": SeverityNumber.ERROR, "warning": SeverityNumber.WARN}.get(record.get("level", ""), SeverityNumber.INFO)
        attributes = {
            key: value for key, value in record.items() if isinstance(value, (str, bool, int, float)) and key != "ts"
        }
        self._logger.emit(
            body=str(record.get("event")), attributes=attributes, severity_number=severity,
            severity_text=str(record.get("level", "info")).upper(),
        )  # fmt: skip

    def flush(self) -> None:
        # Serverless workers are frozen or killed between jobs; push what a job produced now.
        self._tracer_provider.force_flush(5000)
        self._meter_provider.force_flush(5000)
        self._logger_provider.force_flush(5000)

    def shutdown(self) -> None:
        self._tracer_provider.shutdown()
        self._meter_provider.shutdown()
        self._logger_provider.shutdown()
