"""The ``telemetry`` section of the hub settings: traces (OTLP/HTTP, off by default) and the log format.

``hub.toml``::

    [telemetry]
    otlp_endpoint = ""              # a collector's OTLP/HTTP base URL, e.g. http://otel-collector:4318; "": no export
    otlp_headers = {}               # e.g. {authorization = "Bearer ..."} for the collector
    sample_ratio = 1.0              # share of new traces recorded (a caller's sampled trace is followed)
    service_namespace = "enforcement-hub"
    service_names = {}              # part -> service.name (default: the part's own name, "gateway", "cases", ...)
    log_format = "auto"             # auto (json in production, text in dev) | json | text
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class TelemetrySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    otlp_endpoint: str = ""
    otlp_headers: dict[str, str] = Field(default_factory=dict)
    sample_ratio: float = Field(default=1.0, ge=0, le=1)
    service_namespace: str = Field(default="enforcement-hub", min_length=1)
    service_names: dict[str, str] = Field(default_factory=dict)
    log_format: Literal["auto", "json", "text"] = "auto"

    @field_validator("otlp_endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s):// URL of an OTLP/HTTP collector, or empty (no export)")
        return value

    def service_name(self, part: str) -> str:
        return self.service_names.get(part, part)
