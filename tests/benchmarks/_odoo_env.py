"""Shared code of the benchmark scripts: databases, Odoo environments and
servers, and a description of the machine the figures come from."""

import contextlib
import datetime
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def odoo_command(*args):
    return [sys.executable, "-m", "odoo", *args]


def psql(database, query):
    """Rows of ``query`` as lists of strings, asked to PostgreSQL directly (a
    registry loaded before an install would miss the addons installed)."""
    result = subprocess.run(
        ["psql", "-d", database, "-AtqF", "\t", "-c", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line.split("\t") for line in result.stdout.splitlines()]


def database_exists(name):
    rows = psql("postgres", "SELECT datname FROM pg_database")
    return [name] in rows


def ensure_database(name, modules):
    """Create ``name`` with ``modules`` installed unless it already exists."""
    if database_exists(name):
        return
    print(f"creating database {name} with {', '.join(modules)}...", flush=True)
    install(name, modules)


def prepare_database(requested, prefix, modules):
    """The database to measure: ``requested`` with ``modules`` added, or a
    new throwaway one named after ``prefix``."""
    if requested:
        install_missing(requested, modules)
        return requested
    database = f"{prefix}_{uuid.uuid4().hex[:8]}"
    print(f"creating database {database}...", flush=True)
    install(database, modules)
    return database


def install(database, modules):
    subprocess.run(
        odoo_command(
            "-d",
            database,
            f"--addons-path={REPO}",
            "-i",
            ",".join(modules),
            "--stop-after-init",
            "--log-level=warn",
        ),
        check=True,
    )


def install_missing(database, modules):
    """Install those of ``modules`` that ``database`` does not have yet."""
    installed = {
        row[0]
        for row in psql(
            database, "SELECT name FROM ir_module_module WHERE state = 'installed'"
        )
    }
    missing = sorted(set(modules) - installed)
    if missing:
        print(f"installing {', '.join(missing)} in {database}...", flush=True)
        install(database, missing)
    return missing


def filestore(database):
    from odoo.tools import config

    return config.filestore(database)


def clone_database(template, name):
    """Copy ``template`` (which nobody may be connected to) and its filestore
    as ``name``."""
    subprocess.run(["createdb", "-T", template, name], check=True)
    if os.path.isdir(filestore(template)):
        shutil.copytree(filestore(template), filestore(name))


def drop_database(name):
    """Drop ``name`` and its filestore."""
    subprocess.run(["dropdb", "--if-exists", name], check=False)
    shutil.rmtree(filestore(name), ignore_errors=True)


def load_registry(database):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        [
            "-d",
            database,
            f"--addons-path={REPO}",
            "--http-interface=127.0.0.1",
            "--log-level=warn",
        ]
    )
    return Registry(database)


def close_registry(database):
    """Forget the registry of ``database`` and close its connections, so that
    the database can be cloned or dropped."""
    import odoo
    from odoo.modules.registry import Registry

    Registry.delete(database)
    odoo.sql_db.close_db(database)


@contextlib.contextmanager
def odoo_env(database):
    """An environment as superuser in a transaction that is rolled back."""
    from odoo import api

    registry = load_registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        try:
            yield env
        finally:
            cr.rollback()


@contextlib.contextmanager
def committed_env(database):
    """An environment as superuser whose changes are committed; no connection
    to the database is left open afterwards."""
    from odoo import api

    try:
        with load_registry(database).cursor() as cr:
            yield api.Environment(cr, api.SUPERUSER_ID, {})
    finally:
        close_registry(database)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_server(database, workers=0, options=()):
    """Serve ``database`` on a free port of 127.0.0.1 without scheduled
    actions; yield its base URL once it answers."""
    import requests

    port = free_port()
    # In prefork mode, Odoo starts its gevent worker by running its own
    # command line again, which only works from the ``odoo`` script.
    script = os.path.join(os.path.dirname(sys.executable), "odoo")
    command = [sys.executable, script] if os.path.isfile(script) else odoo_command()
    server = subprocess.Popen(
        [
            *command,
            "-d",
            database,
            f"--db-filter=^{database}$",
            f"--addons-path={REPO}",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            f"--gevent-port={free_port()}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--log-level=warn",
            *options,
        ],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(120):
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/web/health", timeout=5).ok:
                    break
            if server.poll() is not None:
                raise RuntimeError("the Odoo server stopped")
            time.sleep(0.5)
        else:
            raise RuntimeError("the Odoo server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def machine_summary():
    """One line on the machine and software the figures come from."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "?"
    with contextlib.suppress(OSError), open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    postgres = psql("postgres", "SHOW server_version")[0][0]
    from odoo import release

    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, "
        f"{os.cpu_count()} cores, {memory} RAM; PostgreSQL {postgres}; "
        f"Odoo {release.version}; Python {platform.python_version()}; "
        f"load average {load_average()}"
    )


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
