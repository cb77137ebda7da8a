"""Fixtures of the mail path tests.

Each test module gets its own copy of the shared test database (the mail
gateway commits after every message), Dovecot, an SMTP sink and an Odoo
server on that copy. Odoo is imported lazily: without it, pytest does not
collect these test modules at all (see the repository's conftest.py).

DOVECOT=/path/to/dovecot picks another Dovecot binary.
HELPDESK_MAIL_KEEP=1 keeps the copies of the database and the working
directory (Odoo and Dovecot logs, maildirs), to look into a failure.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from . import harness
from .helpdesk import Helpdesk

SKIP_REASON = "dovecot not installed: real mail path tests skipped"
KEEP = bool(os.environ.get("HELPDESK_MAIL_KEEP"))
SKIPPED = pytest.StashKey[bool]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mail_path: end to end through Dovecot, an SMTP sink and Odoo processes "
        "(a few minutes; deselect with -m 'not mail_path')",
    )


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    mail_items = [item for item in items if here in Path(item.fspath).parents]
    for item in mail_items:
        item.add_marker(pytest.mark.mail_path)
    if mail_items and not harness.dovecot_available():
        config.stash[SKIPPED] = True
        for item in mail_items:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(SKIPPED, False):
        terminalreporter.write_line(SKIP_REASON)


@pytest.fixture(scope="session")
def shared_database(request):
    name = request.config.getoption("--odoo-database", default=None)
    if not name:
        from odoo.tests.common import get_db_name

        name = get_db_name()
    return name


@pytest.fixture(scope="module")
def workdir():
    # not pytest's tmp_path: Dovecot's login processes run as another user
    # when the tests run as root, and must reach their sockets in there
    path = Path(tempfile.mkdtemp(prefix="helpdesk-mail-"))
    path.chmod(0o755)
    yield path
    if not KEEP:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def dovecot(workdir):
    server = harness.Dovecot(workdir / "dovecot").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def smtp_sink():
    sink = harness.SmtpSink().start()
    yield sink
    sink.stop()


def clone_name(shared, request, suffix=""):
    module = Path(request.module.__file__).stem.removeprefix("test_")
    return f"{shared}_{module}{suffix}"[:63]


@pytest.fixture(scope="module")
def database(shared_database, request):
    database = harness.Database.clone(
        shared_database, clone_name(shared_database, request)
    )
    yield database
    if not KEEP:
        database.drop()


@pytest.fixture(scope="module")
def odoo_server(database, workdir):
    server = harness.OdooServer(database, workdir).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def helpdesk(odoo_server, smtp_sink):
    return Helpdesk(odoo_server, smtp_sink).configure()
