"""Open an Odoo environment on a benchmark database, creating it on first use."""

import contextlib
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ensure_database(name, modules):
    """Create ``name`` with ``modules`` installed unless it already exists."""
    exists = subprocess.run(
        ["psql", "-lqt"], capture_output=True, text=True, check=True
    ).stdout.split()
    if name in exists:
        return
    print(f"creating database {name} with {', '.join(modules)}...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            name,
            f"--addons-path={REPO}",
            "-i",
            ",".join(modules),
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


@contextlib.contextmanager
def odoo_env(database):
    """An environment as superuser in a transaction that is rolled back."""
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        ["-d", database, f"--addons-path={REPO}", "--log-level=warn"]
    )
    registry = Registry(database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        try:
            yield env
        finally:
            cr.rollback()
