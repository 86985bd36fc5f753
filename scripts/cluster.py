"""The several-machine layout of docs/DEPLOY.md, every part real, on this one machine.

    scripts/cluster start      # or: status | stop [PART …] | restart PART | env
    scripts/cluster drills     # start it, run the five drills (tests/cluster), stop it

- PostgreSQL: the machine's cluster (127.0.0.1:5432) is the primary; a second cluster on
  port 5433, made with Debian's pg_createcluster, is its streaming replica, cloned with
  pg_basebackup over a replication slot. The reports read it (DATABASE_REPLICA_URL).
- Redis: the machine's, database 9; queue ``cluster``, RedBeat's keys under ``redbeat:cluster:``.
- web1, web2: gunicorn (config/gunicorn.conf.py) on 127.0.0.1:8181 and :8182, behind nginx
  (Debian's package) on 127.0.0.1:8180, configured as docs/DEPLOY.md says. nginx stands for
  the TLS proxy: it listens on plain HTTP and tells Django the scheme was https.
- worker1, worker2: Celery workers (the Procfile's line, at nice 10); beat1, beat2: two
  beats, of which RedBeat's lock lets one send the ticks.
- sms: the carrier's SMS gateway, a stand-in that drops a repeated message id
  (scripts/cluster_sms.py); notices to customers go there.

Production settings throughout (DJANGO_DEBUG=false, a fresh secret key each start). Each
process runs in its own session; what was started is written to var/cluster/started.json,
and ``stop`` stops exactly that: the processes, the replica cluster (dropped), its
replication slot and the pg_hba line that let it connect. The database (CLUSTER_DB,
default complaints_cluster; the drills use a fresh complaints_drills) stays, and so do
RedBeat's keys of the queue ``cluster`` in Redis (start clears them).

Settings (environment): CLUSTER_DB; CLUSTER_WEBS (2), CLUSTER_WEB_CONCURRENCY (2) and
CLUSTER_WEB_THREADS (2): web instances, processes and threads each; CLUSTER_WEB_LOG_LEVEL
(the web instances' DJANGO_LOG_LEVEL: WARNING leaves out the access lines); any variable of
README "Settings" is passed on (e.g. SWEEP_INTERVAL_SECONDS, BEAT_LOCK_TIMEOUT_SECONDS).
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "cluster"
STARTED = VAR / "started.json"
PY = ROOT / ".venv" / "bin" / "python"
BIN = ROOT / ".venv" / "bin"

PRIMARY_PORT, REPLICA_PORT = 5432, 5433
PROXY_PORT, WEB_PORTS, SMS_PORT = 8180, {"web1": 8181, "web2": 8182}, 8189
REDIS = "redis://127.0.0.1:6379/9"
QUEUE = "cluster"
DB = os.environ.get("CLUSTER_DB", "complaints_cluster")
SLOT = "complaints_cluster_replica"
HBA_MARK = "# scripts/cluster: the replica's connection"
BASE = f"http://127.0.0.1:{PROXY_PORT}"
SMS_LOG, SMS_HOLD = VAR / "sms.jsonl", VAR / "sms-hold"


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def run(*args, check=True, quiet=False, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    if not quiet and result.stdout.strip():
        print(result.stdout.rstrip(), flush=True)
    return result


def pg_version() -> str:
    """The version of the machine's cluster on :5432 (the primary)."""
    for line in run("pg_lsclusters", "-h", quiet=True).stdout.splitlines():
        version, _name, port, *_ = line.split()
        if int(port) == PRIMARY_PORT:
            return version
    raise SystemExit(f"no PostgreSQL cluster on port {PRIMARY_PORT} (pg_lsclusters)")


def psql(sql: str, *, port: int = PRIMARY_PORT, db: str = "postgres", check=True) -> str:
    return run("psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", db, "-qAtX", "-c", sql,
               check=check, quiet=True).stdout.strip()


# --- The environment every process of the cluster runs with ------------------------------

def environment() -> dict:
    secret_file = VAR / "secret"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_QUEUE"))}
    env.update({
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_file.read_text().strip() if secret_file.exists() else "unset",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{PROXY_PORT}",
        "DJANGO_BEHIND_PROXY": "true",
        "AXES_PROXY_COUNT": "1",
        "DJANGO_CONN_MAX_AGE": "60",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}",
        "REDIS_URL": REDIS,
        "CELERY_QUEUE": QUEUE,
        "CACHE_KEY_PREFIX": QUEUE,
        "DJANGO_VAR_DIR": str(VAR / "var"),
        "DJANGO_LOG_LEVEL": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{SMS_PORT}/sms",
        "SMS_GATEWAY_TOKEN": "cluster",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(*args, check=True, quiet=False) -> subprocess.CompletedProcess:
    return run(PY, ROOT / "manage.py", *args, env=environment(), cwd=ROOT, check=check, quiet=quiet)


# --- What was started ----------------------------------------------------------------------

def started() -> dict:
    return json.loads(STARTED.read_text()) if STARTED.exists() else {}


def _note(name: str, **fields) -> None:
    parts = started()
    parts[name] = fields
    STARTED.write_text(json.dumps(parts, indent=1))


def _forget(name: str) -> None:
    parts = started()
    parts.pop(name, None)
    STARTED.write_text(json.dumps(parts, indent=1))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (our own child, not yet reaped) is dead
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def commands() -> dict:
    """Each process part: its command line and extra environment."""
    webs = int(os.environ.get("CLUSTER_WEBS", "2"))
    parts = {"sms": ([PY, ROOT / "scripts" / "cluster_sms.py", SMS_PORT, SMS_LOG, SMS_HOLD], {})}
    for name, port in list(WEB_PORTS.items())[:webs]:
        parts[name] = ([BIN / "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
                       {"GUNICORN_BIND": f"127.0.0.1:{port}",
                        "DJANGO_LOG_LEVEL": os.environ.get("CLUSTER_WEB_LOG_LEVEL", environment()["DJANGO_LOG_LEVEL"]),
                        "WEB_CONCURRENCY": os.environ.get("CLUSTER_WEB_CONCURRENCY", "2"),
                        "GUNICORN_THREADS": os.environ.get("CLUSTER_WEB_THREADS", "2")})
    parts["nginx"] = (["nginx", "-p", VAR / "nginx", "-c", VAR / "nginx" / "nginx.conf", "-g", "daemon off;"], {})
    for n in (1, 2):
        parts[f"worker{n}"] = (["nice", "-n", os.environ.get("WORKER_NICE", "10"), BIN / "celery", "-A", "config",
                                "worker", "-n", f"worker{n}@%h", "-Q", QUEUE, "--concurrency=2",
                                "--without-gossip", "--without-mingle", "--loglevel=INFO"], {})
    for n in (1, 2):
        parts[f"beat{n}"] = ([BIN / "celery", "-A", "config", "beat", "--loglevel=INFO",
                              f"--schedule={VAR / f'beat{n}-schedule'}"], {})
    return parts


def start_part(name: str) -> int:
    """Start one process part in a session of its own; its pid (= its process group)."""
    command, extra = commands()[name]
    with open(VAR / f"{name}.log", "a") as out:  # the process keeps its own copy of the descriptor
        out.write(f"--- started {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n")
        out.flush()
        process = subprocess.Popen([str(c) for c in command], cwd=ROOT, env={**environment(), **extra},
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    _note(name, pid=process.pid, log=str(VAR / f"{name}.log"))
    return process.pid


def stop_part(name: str, *, sig=signal.SIGTERM, wait: float = 40) -> None:
    """Stop one part: its whole process group, ``sig`` first, SIGKILL after ``wait`` s."""
    part = started().get(name)
    if not part or "pid" not in part:
        return
    pid = part["pid"]
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + wait
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)  # what is left of the group (children of a killed parent)
    except ProcessLookupError:
        pass
    _forget(name)


def kill_part(name: str) -> None:
    """A machine lost: SIGKILL to the whole group, no chance to clean up."""
    stop_part(name, sig=signal.SIGKILL, wait=5)


# --- Waiting for parts to be ready ---------------------------------------------------------

def get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_for(what: str, check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what}: not ready after {seconds:.0f} s (logs in {VAR})")


def web_ready(port: int) -> bool:
    return get(f"http://127.0.0.1:{port}/healthz?check=database", timeout=2)[0] == 200


def log_has(name: str, text: str, since: int = 0) -> bool:
    path = VAR / f"{name}.log"
    return path.exists() and text in path.read_text(errors="replace")[since:]


def log_size(name: str) -> int:
    path = VAR / f"{name}.log"
    return len(path.read_text(errors="replace")) if path.exists() else 0


def start_web(name: str) -> None:
    start_part(name)
    wait_for(name, lambda: web_ready(WEB_PORTS[name]))


def start_worker(name: str) -> None:
    since = log_size(name)
    start_part(name)
    wait_for(name, lambda: log_has(name, " ready.", since))


def restart(name: str) -> None:
    stop_part(name)
    if name.startswith("web"):
        start_web(name)
    elif name.startswith("worker"):
        start_worker(name)
    else:
        start_part(name)


# --- The replica ---------------------------------------------------------------------------

def replica_create() -> None:
    version = pg_version()
    hba = Path(f"/etc/postgresql/{version}/main/pg_hba.conf")
    if HBA_MARK not in hba.read_text():
        with hba.open("a") as out:
            out.write(f"host replication all 127.0.0.1/32 trust {HBA_MARK}\n")
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "reload")
    _note("pg_hba", line=HBA_MARK)  # ours to remove at stop, even if a start that failed added it
    if replica_exists():
        log("a replica cluster from an earlier start is there: dropping it")
        replica_drop()
    if psql(f"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{SLOT}'"):
        psql(f"SELECT pg_drop_replication_slot('{SLOT}')")
    run("pg_createcluster", version, "replica", "-p", REPLICA_PORT, quiet=True)
    _note("replica", version=version, port=REPLICA_PORT, slot=SLOT)
    data = Path(f"/var/lib/postgresql/{version}/replica")
    for entry in data.iterdir():  # pg_basebackup fills the cluster's own (empty) directory
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    started_at = time.monotonic()
    run("runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1", "-p", PRIMARY_PORT, "-U", "postgres",
        "-D", data, "-R", "-X", "stream", "-C", "-S", SLOT, "-c", "fast")
    size = run("du", "-sh", data, quiet=True).stdout.split()[0]
    log(f"replica cloned with pg_basebackup in {time.monotonic() - started_at:.1f} s ({size})")
    Path(f"/etc/postgresql/{version}/replica/conf.d/cluster.conf").write_text(
        "# scripts/cluster: a hot standby for the reports (docs/DEPLOY.md)\n"
        "hot_standby = on\nhot_standby_feedback = on\nmax_standby_streaming_delay = 300s\n")
    # The replica admits the application as the primary does (its own pg_hba.conf is Debian's default).
    shutil.copyfile(f"/etc/postgresql/{version}/main/pg_hba.conf", f"/etc/postgresql/{version}/replica/pg_hba.conf")
    run("pg_ctlcluster", "--skip-systemctl-redirect", version, "replica", "start")
    wait_for("replica", lambda: psql("SELECT pg_is_in_recovery()", port=REPLICA_PORT, check=False) == "t", 60)


def replica_exists() -> bool:
    return any(line.split()[1:2] == ["replica"] for line in run("pg_lsclusters", "-h", quiet=True).stdout.splitlines())


def replica_drop() -> None:
    version = pg_version()
    if replica_exists():
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "replica", "stop", "-m", "fast", check=False)
        run("pg_dropcluster", version, "replica", check=False)
    shutil.rmtree(f"/etc/postgresql/{version}/replica", ignore_errors=True)  # with the conf.d file it was given
    if psql(f"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{SLOT}'", check=False) == "1":
        psql(f"SELECT pg_drop_replication_slot('{SLOT}')", check=False)
    _forget("replica")


def replica_ctl(action: str) -> None:
    """Stop or start the replica (drill 3)."""
    run("pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "replica", action, *(["-m", "fast"] if action == "stop" else []))


def replica_delay(seconds: int) -> None:
    """Hold the replica ``seconds`` behind the primary (recovery_min_apply_delay); 0 to catch up."""
    psql(f"ALTER SYSTEM SET recovery_min_apply_delay = '{seconds}s'", port=REPLICA_PORT)
    psql("SELECT pg_reload_conf()", port=REPLICA_PORT)


def unhba() -> None:
    version = pg_version()
    hba = Path(f"/etc/postgresql/{version}/main/pg_hba.conf")
    lines = hba.read_text().splitlines(keepends=True)
    if any(HBA_MARK in line for line in lines):
        hba.write_text("".join(line for line in lines if HBA_MARK not in line))
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "reload", check=False)
    _forget("pg_hba")


# --- nginx -------------------------------------------------------------------------------

NGINX = """# scripts/cluster: the proxy of docs/DEPLOY.md on one machine, plain HTTP on loopback
# (it stands for the TLS proxy: X-Forwarded-Proto is https).
worker_processes 1;
pid {var}/nginx/nginx.pid;
error_log {var}/nginx/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {var}/nginx/tmp/body;
    proxy_temp_path {var}/nginx/tmp/proxy;
    fastcgi_temp_path {var}/nginx/tmp/fastcgi;
    uwsgi_temp_path {var}/nginx/tmp/uwsgi;
    scgi_temp_path {var}/nginx/tmp/scgi;

    upstream complaints_web {{
{servers}
        keepalive 32;
    }}

    log_format complaints escape=json '{{"time":"$time_iso8601","request_id":"$request_id",'
        '"remote_addr":"$remote_addr","method":"$request_method","path":"$uri","status":$status,'
        '"bytes":$body_bytes_sent,"duration_s":$request_time,"upstream":"$upstream_addr",'
        '"upstream_status":"$upstream_status"}}';

    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1 localhost;
        access_log {var}/nginx/access.log complaints;
        client_max_body_size 25m;

        location / {{
            proxy_pass http://complaints_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
            proxy_read_timeout 35s;
            proxy_next_upstream error timeout http_502 http_503;
        }}

        location = /healthz {{
            allow 127.0.0.0/8;
            deny all;
            proxy_pass http://complaints_web;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto https;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def nginx_config(down: frozenset = frozenset()) -> None:
    """nginx.conf with the web instances of CLUSTER_WEBS; those in ``down`` marked down."""
    if not shutil.which("nginx"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            run("apt-get", "update", "-qq", quiet=True)
            run("apt-get", "install", "-y", "-qq", "nginx", quiet=True)
        else:
            raise SystemExit("Install Debian's nginx first (apt-get install nginx).")
    webs = int(os.environ.get("CLUSTER_WEBS", "2"))
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=10s{' down' if name in down else ''};"
                        for name, port in list(WEB_PORTS.items())[:webs])
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (VAR / "nginx" / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(VAR / "nginx" / "tmp" / sub, 0o777)
    (VAR / "nginx" / "nginx.conf").write_text(NGINX.format(var=VAR, port=PROXY_PORT, servers=servers))
    run("nginx", "-t", "-q", "-p", VAR / "nginx", "-c", VAR / "nginx" / "nginx.conf")


def nginx_reload() -> None:
    """nginx reads its configuration again: new workers take new requests, the old ones
    finish theirs (a graceful reload, HUP)."""
    os.kill(started()["nginx"]["pid"], signal.SIGHUP)
    time.sleep(1.5)


def rolling_restart(name: str) -> None:
    """Restart one web instance with no failed request (docs/DEPLOY.md, releases): out of
    the upstream, SIGTERM (gunicorn finishes what it serves), start, healthy, back in."""
    nginx_config(down=frozenset({name}))
    nginx_reload()
    stop_part(name)
    start_web(name)
    nginx_config()
    nginx_reload()


# --- start, stop, status -------------------------------------------------------------------

def preflight() -> None:
    if not PY.exists():
        run(sys.executable, "-m", "venv", ROOT / ".venv")
    run(BIN / "pip", "install", "-q", "--disable-pip-version-check", "-r", ROOT / "requirements.txt", quiet=True)
    if run("pg_isready", "-h", "127.0.0.1", "-p", PRIMARY_PORT, check=False, quiet=True).returncode != 0:
        run("pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start")
        wait_for("PostgreSQL", lambda: run("pg_isready", "-h", "127.0.0.1", "-p", PRIMARY_PORT,
                                           check=False, quiet=True).returncode == 0)
    if run("redis-cli", "-u", REDIS, "ping", check=False, quiet=True).stdout.strip() != "PONG":
        raise SystemExit("Redis does not answer on 127.0.0.1:6379 (see .ci/run for how to start it)")


def database() -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'") != "1":
        psql(f'CREATE DATABASE "{DB}"')
        log(f"created database {DB}")
    manage("migrate", "--noinput", "-v0")
    manage("roles_sync", quiet=True)
    users = manage("shell", "--no-imports", "-c",
                   "from accounts.models import User; print(User.objects.count())", quiet=True).stdout.strip()
    if users == "0":
        manage("seed_demo", quiet=True)
        log("demo units, users and sample complaints written (seed_demo)")
    manage("collectstatic", "--noinput", "-v0")
    manage("check", "--deploy", "--fail-level", "WARNING", quiet=True)


def redis_clean() -> None:
    keys = run("redis-cli", "-u", REDIS, "--scan", "--pattern", f"redbeat:{QUEUE}:*", quiet=True).stdout.split()
    run("redis-cli", "-u", REDIS, "del", QUEUE, *keys, quiet=True)


def start() -> None:
    if started():
        raise SystemExit(f"the cluster is already started ({STARTED}); scripts/cluster stop first")
    VAR.mkdir(parents=True, exist_ok=True)
    STARTED.write_text("{}")
    (VAR / "secret").unlink(missing_ok=True)
    with os.fdopen(os.open(VAR / "secret", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(secrets.token_urlsafe(50))
    for path in VAR.glob("*.log"):
        path.unlink()
    SMS_LOG.unlink(missing_ok=True)
    SMS_HOLD.unlink(missing_ok=True)
    preflight()
    database()
    replica_create()
    nginx_config()
    redis_clean()
    start_part("sms")
    for name in [n for n in commands() if n.startswith("web")]:
        start_part(name)
    for name in [n for n in commands() if n.startswith("web")]:
        wait_for(name, lambda name=name: web_ready(WEB_PORTS[name]))
    start_part("nginx")
    wait_for("nginx", lambda: get(BASE + "/healthz?check=database")[0] == 200)
    for name in ("worker1", "worker2"):
        start_part(name)
    for name in ("worker1", "worker2"):
        wait_for(name, lambda name=name: log_has(name, " ready."))
    for name in ("beat1", "beat2"):
        start_part(name)
    wait_for("a beat holding the lock", lambda: active_beat() is not None)
    status()


def active_beat() -> str | None:
    """The beat that holds RedBeat's lock: a waiting beat logs nothing until it takes it."""
    holders = []
    for name in ("beat1", "beat2"):
        if name in started() and alive(started()[name]["pid"]):
            text = (VAR / f"{name}.log").read_text(errors="replace")
            if "beat: Acquired lock" in text[text.rfind("--- started"):]:
                holders.append(name)
    if len(holders) > 1:
        raise RuntimeError(f"two beats say they hold the lock: {holders}")
    return holders[0] if holders else None


def status() -> None:
    parts = started()
    if not parts:
        print("The cluster is not started.")
        return
    print(f"Cluster on this machine (database {DB}; logs in {VAR}):")
    for name, part in parts.items():
        if "pid" in part:
            state = "running" if alive(part["pid"]) else "stopped"
            where = {"nginx": f" http://127.0.0.1:{PROXY_PORT}", "sms": f" :{SMS_PORT}"}.get(
                name, f" 127.0.0.1:{WEB_PORTS[name]}" if name in WEB_PORTS else "")
            extra = " (holds the beat lock)" if name == active_beat() else ""
            print(f"  {name:8} pid {part['pid']:<8} {state}{where}{extra}")
        elif name == "replica":
            lag = psql("SELECT pg_is_in_recovery()", port=REPLICA_PORT, check=False)
            print(f"  replica  PostgreSQL {part['version']} on :{part['port']}, "
                  f"{'streaming' if lag == 't' else 'not answering'} (slot {part['slot']})")
    code, body = get(BASE + "/healthz")
    print(f"  /healthz through nginx: {code} {body.decode(errors='replace')}")


def stop() -> None:
    parts = started()
    for name in ("beat1", "beat2", "worker1", "worker2", "nginx", "web1", "web2", "sms"):
        if name in parts:
            stop_part(name)
    if "replica" in parts:
        replica_drop()
    if "pg_hba" in parts:
        unhba()
    STARTED.unlink(missing_ok=True)
    log("stopped everything it had started")


def _stopped_by_signal(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # the drills' finally stops the cluster


def drills() -> int:
    """Start the cluster on a fresh database, run the drills (tests/cluster), stop it,
    whatever happened (a SIGTERM from a CI timeout included). The drills state a 10 s
    limit of the replica's lag and a 20 s lease of a notice being sent (production: 30 s
    and 120 s), so that they wait less."""
    global DB
    os.environ.setdefault("REPORTING_MAX_LAG_SECONDS", "10")
    os.environ.setdefault("NOTICE_LEASE_SECONDS", "20")
    DB = os.environ.setdefault("CLUSTER_DB", "complaints_drills")
    signal.signal(signal.SIGTERM, _stopped_by_signal)
    signal.signal(signal.SIGHUP, _stopped_by_signal)
    if started():
        log("a cluster from an earlier run is recorded: stopping it first")
        stop()
    try:
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        start()
        return subprocess.call([str(BIN / "pytest"), "-p", "no:randomly", "-n", "0", "-s", "-q",
                                "--no-header", "tests/cluster", *sys.argv[2:]],
                               cwd=ROOT, env={**os.environ, "CLUSTER_DRILLS": "1"})
    finally:
        stop()


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "status"
    if action == "start":
        start()
    elif action == "stop" and len(sys.argv) > 2:
        for name in sys.argv[2:]:  # stop these parts only (bench/cluster: the web tier alone)
            stop_part(name)
    elif action == "stop":
        stop()
    elif action == "status":
        status()
    elif action == "restart":
        restart(sys.argv[2])
    elif action == "env":
        for key, value in environment().items():
            if key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "SMS_")) and key != "DJANGO_SECRET_KEY":
                print(f"export {key}={value}")
    elif action == "drills":
        return drills()
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
