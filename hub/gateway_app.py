"""The gateway application exactly as `hub gateway` serves it, built from the settings.

`hub gateway` serves it with uvicorn; the differential test host serves several of them (one per
supergraph) from one process, so both answer through the same security, audit and metrics layers.
"""

from __future__ import annotations

from typing import Any

from hub.settings import Profile, Settings


def gateway_application(settings: Settings, source: str, *, timeout_s: float = 0.0, dedupe: bool = False,
                        install_sighup: bool = True) -> Any:
    """The ASGI app for supergraph `source` (file path or URL); raises gateway.errors.GatewayError."""
    from gateway.secure import create_secure_app
    from hub.audit import gateway_security
    from hub.metrics_guard import guard_metrics

    config, access_log = gateway_security(settings)
    application = create_secure_app(
        source, config, access_log=access_log, local_subgraphs=settings.security.audit.local_subgraphs,
        subgraph_timeout_s=timeout_s or settings.gateway.subgraph_timeout_s,
        dedupe_inflight=dedupe or settings.gateway.dedupe_inflight, install_sighup=install_sighup,
        override_labels=settings.gateway.override_labels)
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the access log's directory in dev
    return guard_metrics(application, token=settings.security.metrics_token,
                         production=settings.profile is Profile.PRODUCTION, name="gateway")
