"""Facts about the machine a benchmark ran on, from /proc and the installed packages."""
from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

PACKAGES = ("dash", "plotly", "pandas", "numpy", "pyarrow", "geopandas", "duckdb", "orjson", "Flask", "playwright")


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def cpu() -> tuple[str, int]:
    """CPU model name and number of logical processors listed in /proc/cpuinfo."""
    text = _read("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")]
    count = sum(1 for line in text.splitlines() if line.startswith("processor"))
    return (models[0] if models else platform.processor() or "unknown"), count or (os.cpu_count() or 0)


def ram_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return platform.platform()


def facts(chromium: str) -> dict:
    model, count = cpu()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": model,
        "cpus": count,
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else count,
        "ram_gib": round(ram_gib(), 1),
        "os": os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "chromium": chromium,
        "packages": versions,
    }


def describe(f: dict) -> str:
    return (f"{f['cpu']}, {f['cpus']} CPUs ({f['cpus_usable']} usable), {f['ram_gib']} GiB RAM, {f['os']}, "
            f"Python {f['python']}, {f['chromium']}")
