"""The ETL benchmark (`make bench-etl`, also run by `make bench`): the real `python -m etl run` on a
CLEARLY SYNTHETIC ACLED-layout export of N rows (bench/etl_input.py) with COD-AB admin 1-3 in the
same run, against a baseline of the bare library work it stands on: pyarrow's CSV read of the same
file plus one geopandas `sjoin` of its points into the admin-3 areas.

    python -m bench.etl_run --rows 1000000 [--reps 3] [--synthetic-areas]

Both run as child processes, alternately, `--reps` times each; wall time, CPU time (user + system
of the child) and peak memory (the child's maximum resident set size, from wait4) are reported as
medians, with the ETL's per-step table (its --profile output) from the median run. The input is
generated in a child process too: Linux carries a process's peak memory across exec, so a child
forked from a process that had just generated 3,000,000 rows would report that peak as its own. Written to
bench/results/etl-<rows>.json and .md, and bench/results/etl-latest.md. The input CSV is kept
under bench/results/etl-input/ and reused by later runs of the same size and seed.

COD-AB comes from ../shared/data when present (see its SOURCE.txt), otherwise the dashboard
benchmark's synthetic sub-districts (bench.synthetic) are used; the output says which.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def baseline(csv_path: str, areas_path: str, areas_kind: str) -> None:
    """The bare work: pyarrow's CSV read, numbers from the coordinate columns, one sjoin into
    admin 3 (run in a child process by `measure`)."""
    import geopandas as gpd
    import pandas as pd
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(csv_path, parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"))
    lon = pd.to_numeric(table.column("longitude").to_pandas(), errors="coerce")
    lat = pd.to_numeric(table.column("latitude").to_pandas(), errors="coerce")
    points = gpd.GeoDataFrame({"event_id": table.column("event_id_cnty").to_pandas()},
                              geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    areas = read_admin3(areas_path, areas_kind)
    joined = gpd.sjoin(points, areas, how="left", predicate="intersects")
    print(json.dumps({"rows": table.num_rows, "joined": int(joined["pcode"].notna().sum())}))


def read_admin3(path: str, kind: str):
    import geopandas as gpd

    if kind == "synthetic":
        layer = gpd.read_file(path, layer="admin3")
    else:
        shp = next(Path(path).glob("*adm3*.shp"))
        layer = gpd.read_file(shp)
    return layer[["ADM3_PCODE", "geometry"]].rename(columns={"ADM3_PCODE": "pcode"})


def measure(argv: list[str], env: dict | None = None, log: Path | None = None) -> dict:
    """Run a child process; its wall time, CPU time (user + system) and peak RSS."""
    out = open(log, "w") if log else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    if child.returncode != 0:
        tail = log.read_text()[-3000:] if log else ""
        raise SystemExit(f"{' '.join(argv[:4])} ... exited {child.returncode}\n{tail}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def write_sources(path: Path, csv_path: Path, areas_path: Path) -> None:
    path.write_text(
        "# SYNTHETIC benchmark input written by bench/etl_run.py: COD-AB (or synthetic sub-districts) and\n"
        "# a synthetic ACLED-layout export. Not real events.\n"
        f'[[source]]\nname = "admin-areas"\nadapter = "cod_ab"\npath = "{areas_path}"\n\n'
        f'[[source]]\nname = "synthetic-acled"\nadapter = "acled"\npath = "{csv_path}"\n'
    )


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def summary(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "peak_mib")} | {
        "all_wall_s": [round(r["wall_s"], 2) for r in runs]}


def load_average() -> list[str] | str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0:3]
    except OSError:
        return "?"


def report(result: dict) -> str:
    etl, base = result["etl"], result["baseline"]
    lines = [
        f"ETL benchmark, {result['rows']:,} rows of a SYNTHETIC ACLED-layout export ({result['csv_mib']:.0f} MiB), "
        f"admin areas: {result['areas']}",
        f"{result['date']} on {result['machine']}; medians of {result['reps']} run(s) each; "
        f"load average before/after: {result['load_before']} / {result['load_after']}",
        "",
        f"{'':<10}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'rows/s':>12}",
    ]
    for name, r in (("ETL", etl), ("baseline", base)):
        lines.append(f"{name:<10}{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{r['peak_mib']:>10.0f}"
                     f"{result['rows'] / r['wall_s']:>12,.0f}")
    lines += [
        "",
        f"ETL / baseline: wall {etl['wall_s'] / base['wall_s']:.2f}x, cpu {etl['cpu_s'] / base['cpu_s']:.2f}x, "
        f"peak memory {etl['peak_mib'] / base['peak_mib']:.2f}x",
        f"every run's wall time: ETL {etl['all_wall_s']}, baseline {base['all_wall_s']}",
        "",
        "ETL per step (the median run's --profile table; process start and imports are outside it):",
        result["steps_table"],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.etl_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_ETL_ROWS", 1_000_000)))
    parser.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_ETL_REPS", 3)))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthetic-areas", action="store_true", help="synthetic sub-districts even with COD-AB")
    parser.add_argument("--keep-input", action="store_true", help="keep the generated CSV (reused next time)")
    args = parser.parse_args(argv)

    from bench import machine
    from bench.etl_input import admin_areas
    from bench.synthetic import COD_AB_DIR
    from etl.core.timing import table

    work = RESULTS / "etl-input"
    work.mkdir(parents=True, exist_ok=True)
    areas = admin_areas(work, args.seed, None if args.synthetic_areas else COD_AB_DIR)
    csv_path = work / f"acled-synthetic-{args.rows}-s{args.seed}-{'cod' if areas.kind != 'synthetic' else 'syn'}.csv"
    python = sys.executable
    if not csv_path.exists():
        # in a child process: Linux keeps a process's peak memory across exec, so the children
        # measured below would otherwise report this process's peak from generating the file
        started = time.perf_counter()
        subprocess.run([python, "-m", "bench.etl_input", "--rows", str(args.rows), "--seed", str(args.seed),
                        "--out", str(csv_path), *(["--synthetic-areas"] if args.synthetic_areas else [])],
                       cwd=ROOT, check=True)
        print(f"generated {csv_path.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    load_before = load_average()
    etl_runs, base_runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-etl-") as tmp:
        tmp = Path(tmp)
        sources = tmp / "sources.toml"
        write_sources(sources, csv_path, areas.path)
        for rep in range(args.reps):
            profile = tmp / f"profile-{rep}.json"
            env = dict(os.environ, IDLIB_WAREHOUSE=str(tmp / "warehouse"), IDLIB_KEEP_VERSIONS="1",
                       IDLIB_DATA_DIRS=os.pathsep.join([str(csv_path.parent), str(Path(areas.path).parent)]),
                       ETL_PROFILE="1", ETL_PROFILE_JSON=str(profile))
            run = measure([python, "-m", "etl", "run", "--config", str(sources)], env, tmp / f"etl-{rep}.log")
            run["steps"] = json.loads(profile.read_text())["steps"]
            etl_runs.append(run)
            print(f"  ETL run {rep + 1}: {run['wall_s']:.1f} s wall, {run['peak_mib']:.0f} MiB", file=sys.stderr)
            base = measure([python, "-c", "import sys; from bench.etl_run import baseline; baseline(*sys.argv[1:])",
                            str(csv_path), str(areas.path), areas.kind], None, tmp / f"baseline-{rep}.log")
            base_runs.append(base)
            print(f"  baseline run {rep + 1}: {base['wall_s']:.1f} s wall, {base['peak_mib']:.0f} MiB", file=sys.stderr)
    facts = machine.facts("")
    result = {
        "kind": "SYNTHETIC input (bench/etl_input.py)",
        "rows": args.rows,
        "csv_mib": csv_path.stat().st_size / 2**20,
        "areas": f"{areas.kind} ({Path(areas.path).name})",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{facts.get('cpu', '?')}, {facts.get('cpus', '?')} CPUs, {facts.get('ram_gib', 0):.0f} GiB, "
                   f"{facts.get('os', '?')}",
        "reps": args.reps,
        "load_before": load_before,
        "load_after": load_average(),
        "etl": summary(etl_runs),
        "baseline": summary(base_runs),
        "etl_steps": median_run(etl_runs)["steps"],
    }
    result["steps_table"] = table(result["etl_steps"])
    text = report(result)
    print(text)
    (RESULTS / f"etl-{args.rows}.json").write_text(json.dumps(result, indent=1))
    (RESULTS / f"etl-{args.rows}.md").write_text(text + "\n")
    (RESULTS / "etl-latest.md").write_text(text + "\n")
    if not args.keep_input and args.rows > 1_000_000:
        csv_path.unlink(missing_ok=True)  # a 3M-row file is over 1 GB
    return 0


if __name__ == "__main__":
    sys.exit(main())
