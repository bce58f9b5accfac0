"""What every served part sets up at start from the settings: its tracer provider and its log format.

`observe(settings, part)` installs the tracer provider when `telemetry.otlp_endpoint` is set
(spans exported over OTLP/HTTP; none otherwise) and returns the logging configuration to hand to uvicorn
(``log_config``): JSON lines in production, readable text in dev, unless `telemetry.log_format` says.
"""

from __future__ import annotations

from typing import Any

from hub.settings import Profile, Settings
from telemetry.logs import LogFormat, logging_config
from telemetry.tracing import build_provider, install


def log_format(settings: Settings) -> LogFormat:
    chosen = settings.telemetry.log_format
    if chosen == "auto":
        return "json" if settings.profile is Profile.PRODUCTION else "text"
    return chosen


def observe(settings: Settings, part: str) -> dict[str, Any]:
    """Install this process's tracer provider for `part`; the uvicorn ``log_config`` for its logs."""
    telemetry = settings.telemetry
    if telemetry.otlp_endpoint:  # off by default: no provider, no span (the trace context still flows)
        install(build_provider(service_name=telemetry.service_name(part), namespace=telemetry.service_namespace,
                               endpoint=telemetry.otlp_endpoint, headers=telemetry.otlp_headers,
                               sample_ratio=telemetry.sample_ratio))
    return logging_config(part=part, level=settings.log_level, fmt=log_format(settings))
