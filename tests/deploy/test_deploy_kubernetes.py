"""deploy/k8s: every manifest valid against the Kubernetes OpenAPI schemas that
kubernetes-validate bundles (strict: unknown fields are errors), and consistent with the
service: settings, probes, ports, commands, the Secret and the kustomization."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from deploy_files import (
    K8S,
    KUSTOMIZATION,
    SECRET_EXAMPLE,
    SECRET_NAME,
    k8s_manifest_files,
    k8s_object,
    k8s_objects,
    load_yaml_documents,
    pod_containers,
    setting_variables,
    workloads,
)
from kubernetes_validate.utils import latest_version
from talentmatch.matching.cli import build_parser
from talentmatch.platform.app.health import live, ready
from talentmatch.platform.cli import cmd_serve, cmd_worker
from talentmatch.platform.settings import (
    DATABASE_URL,
    MIN_SECRET_KEY_LENGTH,
    QUEUE,
    SECRET_KEY,
    SOLVE_MAX_SECONDS,
    SOLVE_RUNNER,
)

#: The oldest Kubernetes release still commonly run, and the newest whose schemas are bundled.
KUBERNETES_VERSIONS = ("1.29.0", latest_version())
#: Which key of the Secret each secret setting comes from.
SECRET_KEYS = {DATABASE_URL: "database-url", SECRET_KEY: "secret-key"}


def _objects_by_file() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, obj) for path in k8s_manifest_files() for obj in load_yaml_documents(path)]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(
    ("path", "obj"),
    _objects_by_file(),
    ids=[f"{p.name}:{o['kind']}" for p, o in _objects_by_file()],
)
def test_manifest_is_valid_against_the_kubernetes_schema(
    path: Path, obj: dict[str, Any], version: str
) -> None:
    kubernetes_validate.validate(obj, version, strict=True)


def test_schema_check_does_catch_a_misspelt_probe_field() -> None:
    # Proves the strict validation above is a real one.
    deployment = copy.deepcopy(k8s_object("Deployment", "talentmatch-api"))
    container = pod_containers(deployment)[0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, latest_version(), strict=True)


def test_kustomization_lists_every_manifest_but_the_example_secret() -> None:
    (kustomization,) = load_yaml_documents(KUSTOMIZATION)
    listed = set(kustomization["resources"])
    expected = {p.name for p in k8s_manifest_files()} - {SECRET_EXAMPLE.name}
    assert listed == expected
    assert all((K8S / name).is_file() for name in listed)
    (namespace,) = [o for o in k8s_objects() if o["kind"] == "Namespace"]
    assert kustomization["namespace"] == namespace["metadata"]["name"]
    # The image the manifests name is the one the kustomization sets per release.
    images = {c["image"].partition(":")[0] for w in workloads() for c in pod_containers(w)}
    assert images == {image["name"] for image in kustomization["images"]}


def test_every_image_has_a_fixed_tag() -> None:
    for workload in workloads():
        for container in pod_containers(workload):
            name, _, tag = container["image"].partition(":")
            assert name, container["image"]
            assert tag not in {"", "latest"}, container["image"]


def test_config_map_holds_real_settings_and_no_secret() -> None:
    data = k8s_object("ConfigMap", "talentmatch-config")["data"]
    assert set(data) <= setting_variables()
    assert not set(data) & set(SECRET_KEYS)
    assert data["TALENTMATCH_MIGRATE_ON_START"] == "0"
    assert data[SOLVE_RUNNER] == QUEUE
    assert all(isinstance(value, str) for value in data.values())


@pytest.mark.parametrize(
    "workload", workloads(), ids=lambda w: f"{w['kind']}/{w['metadata']['name']}"
)
def test_workload_reads_settings_from_the_config_map_and_secret_only(
    workload: dict[str, Any],
) -> None:
    for container in pod_containers(workload):
        assert {"configMapRef": {"name": "talentmatch-config"}} in container["envFrom"]
        env = {item["name"]: item for item in container["env"]}
        assert set(env) <= setting_variables()
        for setting, key in SECRET_KEYS.items():
            # From the Secret, never as a plain value in the manifest.
            assert "value" not in env[setting]
            assert env[setting]["valueFrom"]["secretKeyRef"] == {"name": SECRET_NAME, "key": key}


@pytest.mark.parametrize(
    "workload", workloads(), ids=lambda w: f"{w['kind']}/{w['metadata']['name']}"
)
def test_workload_runs_unprivileged_on_a_read_only_root_with_resources(
    workload: dict[str, Any],
) -> None:
    pod = workload["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    mounts_of_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    for container in pod_containers(workload):
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
        tmp = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        assert tmp
        assert tmp[0]["name"] in mounts_of_volumes


def test_example_secret_has_the_referenced_keys_and_only_placeholders() -> None:
    (secret,) = load_yaml_documents(SECRET_EXAMPLE)
    assert secret["metadata"]["name"] == SECRET_NAME
    assert set(secret["stringData"]) == set(SECRET_KEYS.values())
    for value in secret["stringData"].values():
        assert "CHANGE-ME" in value
    assert len(secret["stringData"]["secret-key"]) >= MIN_SECRET_KEY_LENGTH
    # No real Secret is shipped anywhere else.
    assert [o for o in k8s_objects() if o["kind"] == "Secret"] == [secret]


def test_api_probes_use_the_service_health_endpoints() -> None:
    deployment = k8s_object("Deployment", "talentmatch-api")
    (container,) = pod_containers(deployment)
    (live_path,) = live.paths
    (ready_path,) = ready.paths
    assert container["readinessProbe"]["httpGet"]["path"] == ready_path
    assert container["livenessProbe"]["httpGet"]["path"] == live_path
    assert container["startupProbe"]["httpGet"]["path"] == live_path
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        port = container[probe]["httpGet"]["port"]
        assert port in ports or port in ports.values()


def test_api_command_listens_on_the_container_port_the_service_targets() -> None:
    deployment = k8s_object("Deployment", "talentmatch-api")
    (container,) = pod_containers(deployment)
    args = build_parser().parse_args(container["args"])
    assert args.run is cmd_serve
    assert args.host == "0.0.0.0"
    assert args.demo is False
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert args.port in ports.values()
    service = k8s_object("Service", "talentmatch-api")
    (service_port,) = service["spec"]["ports"]
    target = service_port["targetPort"]
    assert ports.get(target, target) == args.port
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["replicas"] == 2


def test_autoscaler_and_disruption_budgets_select_the_right_pods() -> None:
    hpa = k8s_object("HorizontalPodAutoscaler", "talentmatch-api")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "talentmatch-api")
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    for name in ("talentmatch-api", "talentmatch-worker"):
        budget = k8s_object("PodDisruptionBudget", name)
        labels = k8s_object("Deployment", name)["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_workers_are_sized_for_the_solver_and_outlive_the_longest_solve() -> None:
    deployment = k8s_object("Deployment", "talentmatch-worker")
    (container,) = pod_containers(deployment)
    assert build_parser().parse_args(container["args"]).run is cmd_worker
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    max_seconds = int(k8s_object("ConfigMap", "talentmatch-config")["data"][SOLVE_MAX_SECONDS])
    assert pod["terminationGracePeriodSeconds"] > max_seconds
    # CPU for CONCURRENCY solves of WORKERS CP-SAT threads each.
    config = k8s_object("ConfigMap", "talentmatch-config")["data"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    threads = int(env.get("TALENTMATCH_SOLVE_WORKERS") or config["TALENTMATCH_SOLVE_WORKERS"])
    concurrency = int(
        env.get("TALENTMATCH_SOLVE_CONCURRENCY") or config["TALENTMATCH_SOLVE_CONCURRENCY"]
    )
    assert float(container["resources"]["requests"]["cpu"]) >= threads * concurrency


def test_migration_job_runs_the_upgrade_and_is_not_retried_forever() -> None:
    from talentmatch.platform.db import migrate

    job = k8s_object("Job", "talentmatch-migrate")
    (container,) = pod_containers(job)
    assert container["command"] == ["python", "-m", migrate.__name__]
    assert container["args"] == ["upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] <= 6
    with pytest.raises(SystemExit) as exited:
        migrate.main([*container["args"], "--help"])
    assert exited.value.code == 0


def test_pre_rollout_selector_picks_the_settings_and_the_migration_job_only() -> None:
    # docs/operations.md applies `-l 'app.kubernetes.io/component in (config,migrate)'` first.
    picked = {
        (obj["kind"], obj["metadata"]["name"])
        for obj in k8s_objects(include_example_secret=False)
        if obj["metadata"].get("labels", {}).get("app.kubernetes.io/component")
        in {"config", "migrate"}
    }
    assert picked == {("ConfigMap", "talentmatch-config"), ("Job", "talentmatch-migrate")}
    text = KUSTOMIZATION.read_text("utf-8")
    assert "-l 'app.kubernetes.io/component in (config,migrate)'" in text
