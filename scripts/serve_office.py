"""`make serve-office`: the office stack of issue 18 on this one machine, for trying it out, from
Debian's packages: PostgreSQL 15 + PostGIS 3 (the warehouse), Redis (the shared cache and the export
queue), two app servers (gunicorn, `python -m dashboard`), two export workers
(`python -m dashboard.worker`) and nginx in front on http://127.0.0.1:$PORT (default 8050).

The committed data are built and published to PostGIS first (`python -m etl run --target ...`).
Everything lives under IDLIB_OFFICE_DIR (default /tmp/idlib-office: PostgreSQL's own user must be
able to reach it); the database is kept between runs. Ctrl-C (or SIGTERM) stops every part.
Ports: PORT (nginx), IDLIB_OFFICE_PORTS="postgres redis app1 app2" (default "5433 6380 8061 8062").
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TEMPLATE = ROOT / "deploy" / "nginx" / "idlib.conf.template"


def say(text: str) -> None:
    print(f"serve-office: {text}", flush=True)


def owner() -> str | None:
    return "postgres" if os.geteuid() == 0 else None


def as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", owner(), "--", *cmd] if owner() else cmd


def ensure_packages() -> None:
    for script in ("ensure-postgis.sh", "ensure-redis.sh", "ensure-nginx.sh", "ensure-browser.sh"):
        if subprocess.run([str(ROOT / "scripts" / script)]).returncode:
            sys.exit(f"serve-office: {script} could not provide its packages (see above)")


def render_nginx(folder: Path, listen: int, apps: list[int]) -> Path:
    values = {"IDLIB_APP_1": f"127.0.0.1:{apps[0]}", "IDLIB_APP_2": f"127.0.0.1:{apps[1]}",
              "IDLIB_LISTEN": f"127.0.0.1:{listen}", "IDLIB_NGINX_CACHE": str(folder / "nginx-cache")}
    site = re.sub(r"\$\{(IDLIB_[A-Z0-9_]+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())
    conf = folder / "nginx.conf"
    conf.write_text(f"""daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
worker_processes 2;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    log_format upstreams '$remote_addr "$request" $status $upstream_addr $upstream_cache_status $request_time';
    access_log {folder}/nginx-access.log upstreams;
    client_body_temp_path {folder}/nginx-tmp/body;
    proxy_temp_path {folder}/nginx-tmp/proxy;
    fastcgi_temp_path {folder}/nginx-tmp/fastcgi;
    uwsgi_temp_path {folder}/nginx-tmp/uwsgi;
    scgi_temp_path {folder}/nginx-tmp/scgi;
{site}
}}
""")
    for part in ("nginx-tmp", "nginx-cache"):
        (folder / part).mkdir(exist_ok=True)
    return conf


def start_postgres(folder: Path, port: int) -> str:
    data = folder / "pg"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if owner():
            shutil.chown(folder, owner(), owner())
            shutil.chown(data, owner(), owner())
        subprocess.run(as_owner([str(PG_BIN / "initdb"), "-D", str(data), "-U", "idlib", "--auth=trust", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_owner([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "postgres.log"), "-w", "-o",
                             f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"]), check=True,
                   stdout=subprocess.DEVNULL)
    created = subprocess.run(as_owner([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "idlib",
                                       "idlib"]), capture_output=True, text=True)
    if created.returncode and "already exists" not in created.stderr:
        raise RuntimeError(created.stderr)
    return f"postgresql://idlib@127.0.0.1:{port}/idlib"


def wait_http(url: str, proc: subprocess.Popen, what: str, seconds: float = 120) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer on {url} within {seconds:.0f} s")


def main() -> int:
    folder = Path(os.environ.get("IDLIB_OFFICE_DIR", "/tmp/idlib-office")).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    listen = int(os.environ.get("PORT", "8050"))
    pg_port, redis_port, *apps = [int(p) for p in os.environ.get("IDLIB_OFFICE_PORTS", "5433 6380 8061 8062").split()]
    ensure_packages()
    children: list[tuple[str, subprocess.Popen]] = []
    pg_data = folder / "pg"

    def stop(*_, code: int = 0):
        for _name, proc in reversed(children):
            if proc.poll() is None:
                proc.terminate()
        for _name, proc in reversed(children):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if (pg_data / "postmaster.pid").exists():
            subprocess.run(as_owner([str(PG_BIN / "pg_ctl"), "-D", str(pg_data), "-m", "fast", "-w", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        say("stopped")
        sys.exit(code)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        say(f"PostgreSQL + PostGIS on 127.0.0.1:{pg_port} ({pg_data})")
        database = start_postgres(folder, pg_port)
        say(f"Redis on 127.0.0.1:{redis_port}")
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        children.append(("redis", subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder)], stdout=open(folder / "redis.log", "a"), stderr=subprocess.STDOUT)))
        import secrets

        env = {**os.environ, "IDLIB_REDIS_URL": redis_url, "IDLIB_WAREHOUSE_URL": database,
               "IDLIB_SECRET_KEY": os.environ.get("IDLIB_SECRET_KEY") or secrets.token_hex(32)}
        env.pop("PORT", None)
        say("building the warehouse from the committed data and publishing it to PostGIS")
        subprocess.run([sys.executable, "-m", "etl", "run", "--target", database], cwd=ROOT, check=True,
                       env={**env, "IDLIB_WAREHOUSE_URL": ""})
        for i, port in enumerate(apps, start=1):
            log = open(folder / f"app{i}.log", "a")
            children.append((f"app{i}", subprocess.Popen([sys.executable, "-m", "dashboard"], cwd=ROOT,
                                                         env={**env, "PORT": str(port), "WEB_CONCURRENCY": "2"},
                                                         stdout=log, stderr=subprocess.STDOUT)))
        for i in (1, 2):
            log = open(folder / f"worker{i}.log", "a")
            children.append((f"worker{i}", subprocess.Popen(
                [sys.executable, "-m", "dashboard.worker"], cwd=ROOT,
                env={**env, "EXPORT_WORKER_NAME": f"export{i}@%h"}, stdout=log, stderr=subprocess.STDOUT)))
        for (name, proc), port in zip(children[1:3], apps):
            wait_http(f"http://127.0.0.1:{port}/", proc, name)
        conf = render_nginx(folder, listen, apps)
        children.append(("nginx", subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf), "-p", str(folder)],
                                                   stdout=open(folder / "nginx.log", "a"), stderr=subprocess.STDOUT)))
        wait_http(f"http://127.0.0.1:{listen}/", children[-1][1], "nginx")
        say(f"serving on http://127.0.0.1:{listen} (nginx -> app servers :{apps[0]} and :{apps[1]}, two export "
            f"workers, PostGIS, Redis; logs in {folder}). Ctrl-C stops everything.")
        while True:
            for name, proc in children:
                if proc.poll() is not None:
                    say(f"{name} exited with status {proc.returncode}; stopping (see {folder}/{name}.log)")
                    stop(code=1)
            time.sleep(1)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        say(f"error: {exc}")
        stop(code=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
