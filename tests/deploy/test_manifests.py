"""The deployment manifests hold together: every resource a kustomization names exists and parses,
workloads run commands the `hub` CLI really has, probe `/health` on a declared port, run as non-root
with resource limits, and every Service selects a Deployment's pods on a port it exposes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "k8s"


def _load_kustomization(folder: Path) -> list[dict[str, Any]]:
    kust = yaml.safe_load((folder / "kustomization.yaml").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = []
    for resource in kust["resources"]:
        target = (folder / resource).resolve()
        if target.is_dir():
            docs.extend(_load_kustomization(target))
        else:
            assert target.is_file(), f"{folder.name}: resource {resource} does not exist"
            docs.extend(d for d in yaml.safe_load_all(target.read_text(encoding="utf-8")) if d)
    return docs


def _workloads(docs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for doc in docs:
        if doc["kind"] in {"Deployment", "Job"}:
            spec = doc["spec"]["template"]["spec"]
            out.extend((doc, c) for c in spec["containers"])
        elif doc["kind"] == "CronJob":
            spec = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            out.extend((doc, c) for c in spec["containers"])
    return out


@pytest.fixture(scope="module")
def base() -> list[dict[str, Any]]:
    return _load_kustomization(K8S / "base")


@pytest.fixture(scope="module")
def hub_commands() -> set[str]:
    out = subprocess.run([sys.executable, "-m", "hub", "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^│ (\w+)\s", out, flags=re.MULTILINE))


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_overlays_build_on_the_base(overlay: str) -> None:
    docs = _load_kustomization(K8S / "overlays" / overlay)
    kust = yaml.safe_load((K8S / "overlays" / overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    kinds_names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for patch in kust.get("patches", []):
        target = patch["target"]
        matches = [kn for kn in kinds_names if kn[0] == target["kind"] and target.get("name", kn[1]) == kn[1]]
        assert matches, f"{overlay}: patch target {target} matches nothing"


def test_workloads_run_real_hub_commands(base: list[dict[str, Any]], hub_commands: set[str]) -> None:
    workloads = _workloads(base)
    assert len(workloads) >= 6
    for doc, container in workloads:
        assert container["image"].startswith("enforcement-hub"), doc["metadata"]["name"]
        assert container["args"][0] in hub_commands, f"{doc['metadata']['name']}: {container['args'][0]}"


def test_subgraph_workloads_name_known_subgraphs(base: list[dict[str, Any]]) -> None:
    from subgraphs.registry import SUBGRAPHS

    named = {c["args"][1] for _, c in _workloads(base) if c["args"][0] == "subgraph"}
    assert named == set(SUBGRAPHS)


def test_deployments_are_probed_limited_and_unprivileged(base: list[dict[str, Any]]) -> None:
    for doc in base:
        if doc["kind"] != "Deployment":
            continue
        pod = doc["spec"]["template"]
        assert doc["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
        for c in pod["spec"]["containers"]:
            ports = {p["name"]: p["containerPort"] for p in c["ports"]}
            port_arg = int(c["args"][c["args"].index("--port") + 1])
            assert port_arg in ports.values(), f"{doc['metadata']['name']}: --port {port_arg} not exposed"
            for probe in ("readinessProbe", "livenessProbe"):
                assert c[probe]["httpGet"]["path"] == "/health"
                assert c[probe]["httpGet"]["port"] in ports
            assert {"cpu", "memory"} <= c["resources"]["limits"].keys()
            assert c["securityContext"]["allowPrivilegeEscalation"] is False


def test_services_select_pods_on_exposed_ports(base: list[dict[str, Any]]) -> None:
    deployments = [d for d in base if d["kind"] == "Deployment"]
    for svc in (d for d in base if d["kind"] == "Service"):
        selected = [d for d in deployments
                    if svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(selected) == 1, f"service {svc['metadata']['name']} selects {len(selected)} deployments"
        names = {p["name"] for c in selected[0]["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in names


def test_containerfile_entrypoint_is_the_hub_cli() -> None:
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["hub"]' in text
    assert re.search(r"^USER 10001$", text, flags=re.MULTILINE)
    for package in ("domain", "gateway", "subgraphs", "adapters", "simulators", "hub"):
        assert f"COPY {package} {package}" in text, package


def test_every_deployment_is_scraped_on_its_http_port(base: list[dict[str, Any]]) -> None:
    """Prometheus finds `/metrics` (gateway/metrics.py, subgraphs/common/metrics.py) on the port the pod serves."""
    deployments = [d for d in base if d["kind"] == "Deployment"]
    assert len(deployments) == 7  # the gateway and six subgraphs
    for doc in deployments:
        template = doc["spec"]["template"]
        notes = template["metadata"].get("annotations") or {}
        ports = {p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", [])}
        assert notes.get("prometheus.io/scrape") == "true", doc["metadata"]["name"]
        assert notes.get("prometheus.io/path") == "/metrics", doc["metadata"]["name"]
        assert int(notes["prometheus.io/port"]) in ports, doc["metadata"]["name"]


def test_scheduled_jobs_run_the_sweep_and_the_vault_sync(base: list[dict[str, Any]], hub_commands: set[str]) -> None:
    """The rules the follower leaves to a schedule, and the nightly vault sync, run as CronJobs of real
    `hub` sub-commands (`hub supervise sweep`, `hub sync population`), one run at a time."""
    jobs = {d["metadata"]["name"]: d for d in base if d["kind"] == "CronJob"}
    commands = {tuple(c["args"][:2]) for d, c in _workloads(base) if d["kind"] == "CronJob"}
    assert commands == {("supervise", "sweep"), ("sync", "population")}
    assert {"supervise", "sync"} <= hub_commands
    for doc in jobs.values():
        assert doc["spec"]["concurrencyPolicy"] == "Forbid"
        assert len(doc["spec"]["schedule"].split()) == 5
        pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for c in pod["containers"]:
            assert {"cpu", "memory"} <= c["resources"]["limits"].keys()
    for sub, name in (("supervise", "sweep"), ("sync", "population")):
        help_text = subprocess.run([sys.executable, "-m", "hub", sub, name, "--help"], capture_output=True,
                                   text=True, check=False)
        assert help_text.returncode == 0, help_text.stderr
