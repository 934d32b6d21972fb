"""deploy/ (issue 18) checked against the code, without running it (the project's machines have no
Docker daemon; `make serve-office`, tested in tests/test_serve_office.py, runs the same stack from
Debian's packages): every command names a module that exists, every variable given is one the code
reads, and the nginx template gets every value it needs from both the compose file and
scripts/serve_office.py."""
from __future__ import annotations

import importlib.util
import re
import shlex

import yaml

from etl.config import ROOT

DEPLOY = ROOT / "deploy"
READ = {"IDLIB_WAREHOUSE_URL", "IDLIB_REDIS_URL", "IDLIB_SECRET_KEY", "WEB_CONCURRENCY", "HOST", "PORT", "EXPORT_WORKER_NAME",
        "IDLIB_KEEP_VERSIONS", "UCDP_ACCESS_TOKEN", "HDX_HAPI_APP_IDENTIFIER", "BROWSER_PATH", "PYTHONUNBUFFERED"}


def code_reads(name: str) -> bool:
    pattern = re.compile(rf"[\"']{re.escape(name)}[\"']")
    return any(pattern.search(p.read_text(encoding="utf-8")) for folder in ("etl", "dashboard", "scripts")
               for p in (ROOT / folder).rglob("*.py"))


def modules(command: list[str]) -> list[str]:
    return [command[i + 1] for i, part in enumerate(command) if part == "-m"]


def test_the_compose_file_runs_real_modules_with_variables_the_code_reads():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgis", "redis", "etl", "app1", "app2", "worker", "nginx"} <= set(services)
    for name in ("etl", "app1", "app2", "worker"):
        for module in modules(services[name]["command"]):
            assert importlib.util.find_spec(module) is not None, (name, module)
        for variable in services[name].get("environment", {}):
            assert variable in READ and (variable == "PYTHONUNBUFFERED" or code_reads(variable)), (name, variable)
    assert "--target" in services["etl"]["command"]
    template = (DEPLOY / "nginx" / "idlib.conf.template").read_text()
    wanted = set(re.findall(r"\$\{(IDLIB_[A-Z0-9_]+)\}", template))
    assert wanted and wanted <= set(services["nginx"]["environment"])
    office = (ROOT / "scripts" / "serve_office.py").read_text()
    assert all(f'"{name}"' in office for name in wanted)  # serve-office fills the same template


def test_the_systemd_units_run_real_modules():
    units = sorted((DEPLOY / "systemd").glob("*.service"))
    assert {u.name for u in units} == {"idlib-app@.service", "idlib-worker@.service", "idlib-etl.service"}
    for unit in units:
        start = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
        for module in re.findall(r"-m ([a-z_.]+)", start):
            assert importlib.util.find_spec(module) is not None, (unit.name, module)
        etl = re.search(r"-m etl (.*?)'?$", start)
        if etl:  # the ETL's command line accepts the unit's arguments, and its exit 3 is a success
            from etl.__main__ import build_parser

            args = build_parser().parse_args(shlex.split(etl.group(1).replace('"$IDLIB_WAREHOUSE_URL"', "postgresql://x")))
            assert args.command == "refresh" and args.keep_going and args.target == "postgresql://x", args
            assert "SuccessExitStatus=3" in unit.read_text()
    example = (DEPLOY / "systemd" / "office.env.example").read_text()
    for variable in re.findall(r"^#? ?([A-Z_]+)=", example, re.MULTILINE):
        assert variable in READ and code_reads(variable), variable
