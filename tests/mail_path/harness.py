"""Real mail servers and Odoo processes for the mail path tests.

Everything listens on 127.0.0.1 with throw-away state: Debian's Dovecot
(IMAP, maildir, users from a passwd-file), an SMTP sink built on aiosmtpd, a
TCP proxy in front of PostgreSQL to take the database away, and Odoo servers
run as subprocesses against a copy of the test database, driven over RPC as
an administrator or a mail transfer agent would.
"""

import contextlib
import email
import email.policy
import grp
import imaplib
import itertools
import json
import logging
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Debian installs it in /usr/sbin, often not in a user's PATH
DOVECOT = os.environ.get("DOVECOT") or shutil.which("dovecot") or "/usr/sbin/dovecot"
ADMIN_LOGIN = ADMIN_PASSWORD = "admin"


def dovecot_available():
    return os.access(DOVECOT, os.X_OK)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{message} not met within {timeout} s")
        time.sleep(interval)


# ----------------------------------------------------------------------
# Dovecot
# ----------------------------------------------------------------------


class Dovecot:
    """Dovecot started from its own configuration directory.

    As root, Dovecot refuses to give mail access to uid 0 and to run its
    login processes as root, so the mailboxes then belong to ``nobody`` and
    the login and internal processes use the users of Debian's package.
    Otherwise everything runs as the current user.
    """

    def __init__(self, root):
        self.root = Path(root)
        self.port = free_port()
        self.conf = self.root / "dovecot.conf"
        self.passwd = self.root / "passwd"
        self.log = self.root / "dovecot.log"
        self.process = None
        self._mailboxes = {}
        if os.getuid() == 0:
            self.mail_user = pwd.getpwnam("nobody")
            self.login_user = _first_user("dovenull", "nobody")
            self.internal_user = _first_user("dovecot", "nobody")
        else:
            self.mail_user = self.login_user = self.internal_user = pwd.getpwuid(
                os.getuid()
            )

    def start(self):
        # the login processes run as another user when started as root
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        (self.root / "state").mkdir(exist_ok=True)
        self.passwd.write_text("")
        self.conf.write_text(self._config())
        with open(self.root / "dovecot.out", "ab") as out:
            # in the foreground (-F): a child of the tests, stopped by them
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._greets, 20, message=f"Dovecot on port {self.port}")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _greets(self):
        if self.process.poll() is not None:
            output = (self.root / "dovecot.out").read_text(errors="replace")
            raise RuntimeError(f"dovecot exited ({self.process.returncode}): {output}")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def _config(self):
        mail = self.mail_user
        return f"""\
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = helpdesk-test-{self.port}
log_path = {self.log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {self.internal_user.pw_name}
default_internal_group = {_group_name(self.internal_user.pw_gid)}
default_login_user = {self.login_user.pw_name}
first_valid_uid = {mail.pw_uid}
first_valid_gid = {mail.pw_gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.passwd}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""

    def mailbox(self, user):
        """The mailbox of ``user``, created on first use."""
        if user not in self._mailboxes:
            home = self.root / "home" / user
            password = secrets.token_hex(8)
            box = Mailbox(self, user, password, home)
            box.create()
            line = f"{user}:{{PLAIN}}{password}:{self.mail_user.pw_uid}:"
            line += f"{self.mail_user.pw_gid}::{home}::\n"
            # replaced, not appended, so that Dovecot sees a new file
            tmp = self.passwd.with_suffix(".new")
            tmp.write_text(self.passwd.read_text() + line)
            tmp.replace(self.passwd)
            # Dovecot looks at the passwd-file at most once a second
            wait_until(box.can_login, 10, message=f"login of {user}")
            self._mailboxes[user] = box
        return self._mailboxes[user]


def _first_user(*names):
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise KeyError(names)


def _group_name(gid):
    return grp.getgrgid(gid).gr_name


_delivery_counter = itertools.count()


class Mailbox:
    """A Dovecot user's maildir, written to like a local delivery agent."""

    def __init__(self, dovecot, user, password, home):
        self.dovecot = dovecot
        self.user = user
        self.password = password
        self.home = Path(home)
        self.maildir = self.home / "Maildir"

    def create(self):
        for sub in ("tmp", "new", "cur"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        self._own(
            self.home, self.maildir, *(self.maildir / s for s in ("tmp", "new", "cur"))
        )

    def _own(self, *paths):
        user = self.dovecot.mail_user
        if os.getuid() == 0:
            for path in paths:
                os.chown(path, user.pw_uid, user.pw_gid)

    def deliver(self, raw):
        """Deliver one message the maildir way: written in tmp/, then
        renamed into new/ where Dovecot picks it up as unseen."""
        name = (
            f"{time.time_ns()}.P{os.getpid()}Q{next(_delivery_counter)}.helpdesk-test"
        )
        tmp = self.maildir / "tmp" / name
        tmp.write_bytes(raw)
        self._own(tmp)
        tmp.rename(self.maildir / "new" / name)

    def deliver_all(self, raws):
        for raw in raws:
            self.deliver(raw)

    def can_login(self):
        try:
            with self.imap():
                return True
        except imaplib.IMAP4.error:
            return False

    @contextlib.contextmanager
    def imap(self):
        conn = imaplib.IMAP4("127.0.0.1", self.dovecot.port, timeout=30)
        try:
            conn.login(self.user, self.password)
            conn.select("INBOX")
            yield conn
        finally:
            with contextlib.suppress(Exception):
                conn.logout()

    def status(self):
        """``[(message_id, seen)]`` of every message in the inbox."""
        with self.imap() as conn:
            typ, data = conn.fetch(
                "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
            )
        if typ != "OK" or data == [None]:
            return []
        result = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta, header = item
            seen = b"\\Seen" in re.search(rb"FLAGS \(([^)]*)\)", meta).group(1)
            parsed = email.message_from_bytes(header, policy=email.policy.compat32)
            result.append(((parsed.get("Message-ID") or "").strip(), seen))
        return result

    def unseen_count(self):
        with self.imap() as conn:
            typ, data = conn.search(None, "UNSEEN")
        return len(data[0].split()) if typ == "OK" and data[0] else 0


# ----------------------------------------------------------------------
# SMTP sink
# ----------------------------------------------------------------------


@dataclass
class SentMail:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    message: email.message.EmailMessage = field(repr=False)


class SmtpSink:
    """An SMTP server that accepts and keeps every message."""

    def __init__(self):
        self.port = free_port()
        self.mails = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        mail = SentMail(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            raw,
            email.message_from_bytes(raw, policy=email.policy.default),
        )
        with self._lock:
            self.mails.append(mail)
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        # one line per SMTP command otherwise
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()

    def sent_to(self, address):
        address = address.lower()
        with self._lock:
            return [m for m in self.mails if address in (r.lower() for r in m.rcpt_tos)]

    def snapshot(self):
        with self._lock:
            return list(self.mails)


# ----------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------


def pg_params():
    """Connection parameters of the PostgreSQL server Odoo is configured for."""
    from odoo.tools import config

    return {
        "host": config["db_host"] or os.environ.get("PGHOST") or None,
        "port": int(config["db_port"] or os.environ.get("PGPORT") or 5432),
        "user": config["db_user"] or os.environ.get("PGUSER") or None,
        "password": config["db_password"] or os.environ.get("PGPASSWORD") or None,
    }


def pg_env():
    env = dict(os.environ)
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
    }
    for key, value in pg_params().items():
        if value:
            env[names[key]] = str(value)
    return env


class Database:
    """A copy of the shared test database, dropped at the end: the mail
    gateway commits after each message, which no test may leave behind in
    the shared database."""

    def __init__(self, name):
        self.name = name
        self._conn = None

    @classmethod
    def clone(cls, template, name):
        import odoo.sql_db
        from odoo.tools import config

        database = cls(name)
        database.drop()
        # CREATE DATABASE ... TEMPLATE needs the template to have no session,
        # and pytest-odoo keeps pooled connections to it in this process
        odoo.sql_db.close_db(template)
        for attempt in range(10):
            done = subprocess.run(
                ["createdb", "-T", template, name],
                env=pg_env(),
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                break
            if "is being accessed by other users" not in done.stderr or attempt == 9:
                raise RuntimeError(f"createdb -T {template} {name}: {done.stderr}")
            time.sleep(1)
        source = Path(config.filestore(template))
        if source.is_dir():
            shutil.copytree(source, config.filestore(name))
        with database.cursor() as cr:
            # a known password for the XML-RPC calls; verified in plain text
            # once by Odoo, which then stores it hashed
            cr.execute(
                "UPDATE res_users SET password = %s WHERE login = %s",
                (ADMIN_PASSWORD, ADMIN_LOGIN),
            )
        return database

    def drop(self):
        import psycopg2

        from odoo.tools import config

        if self._conn is not None:
            self._conn.close()
            self._conn = None
        with contextlib.closing(
            psycopg2.connect(dbname="postgres", **pg_params())
        ) as conn:
            conn.autocommit = True
            with conn.cursor() as cr:
                cr.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s",
                    (self.name,),
                )
                cr.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        shutil.rmtree(config.filestore(self.name), ignore_errors=True)

    @contextlib.contextmanager
    def cursor(self):
        import psycopg2

        if self._conn is None or self._conn.closed:
            self._conn = psycopg2.connect(dbname=self.name, **pg_params())
            self._conn.autocommit = True
        with self._conn.cursor() as cr:
            yield cr

    def rows(self, query, params=None):
        with self.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def value(self, query, params=None):
        rows = self.rows(query, params)
        return rows[0][0] if rows else None

    def unix_socket(self):
        params = pg_params()
        host = params["host"] or "/var/run/postgresql"
        if host.startswith("/"):
            return f"{host}/.s.PGSQL.{params['port']}"
        return None


class TcpProxy:
    """A TCP port forwarding to PostgreSQL. ``cut()`` closes every forwarded
    connection and refuses new ones, as a database server that went away
    would; ``restore()`` accepts connections again on the same port."""

    def __init__(self, database):
        self.port = free_port()
        self._unix = database.unix_socket()
        params = pg_params()
        self._tcp = (params["host"], params["port"])
        self._listener = None
        self._sockets = set()
        self._lock = threading.Lock()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self):
        listener, self._listener = self._listener, None
        if listener:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener):
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return
            try:
                if self._unix:
                    upstream = socket.socket(socket.AF_UNIX)
                    upstream.connect(self._unix)
                else:
                    upstream = socket.create_connection(self._tcp)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, target), daemon=True
                ).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# ----------------------------------------------------------------------
# Odoo
# ----------------------------------------------------------------------


class RpcError(Exception):
    """An error raised by the Odoo server while serving a call."""


class OdooServer:
    """``odoo server`` on a free port, serving one database, without cron
    threads: the tests run the scheduled jobs themselves, as an
    administrator does with "Run Manually"."""

    def __init__(self, database, workdir, name="odoo", workers=0, db_port=None):
        self.database = database
        self.workdir = Path(workdir)
        self.name = name
        self.workers = workers
        self.db_port = db_port
        self.port = None
        self.log = self.workdir / f"{name}.log"
        self.process = None

    def command(self):
        from odoo.tools import config

        addons = ",".join(str(path) for path in config["addons_path"]) or str(REPO)
        command = [
            sys.executable,
            "-m",
            "odoo",
            "server",
            f"--database={self.database.name}",
            f"--db-filter=^{re.escape(self.database.name)}$",
            f"--addons-path={addons}",
            f"--data-dir={config['data_dir']}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            f"--workers={self.workers}",
            "--max-cron-threads=0",
            "--log-level=info",
            # the mail gateway script and these tests use the RPC endpoints
            # Odoo 19 announces for removal
            "--log-handler=odoo.addons.rpc.controllers.xmlrpc:ERROR",
            "--log-handler=odoo.addons.rpc.controllers.jsonrpc:ERROR",
            "--log-handler=werkzeug:WARNING",
            f"--logfile={self.log}",
        ]
        params = pg_params()
        if self.db_port:
            command += ["--db_host=127.0.0.1", f"--db_port={self.db_port}"]
        elif params["host"]:
            command += [f"--db_host={params['host']}", f"--db_port={params['port']}"]
        if params["user"]:
            command.append(f"--db_user={params['user']}")
        if params["password"]:
            command.append(f"--db_password={params['password']}")
        return command

    def start(self, timeout=90):
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.uid = wait_until(
            self._login, timeout, interval=0.3, message=f"{self.name} up"
        )
        return self

    def _login(self):
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited ({self.process.returncode}):\n{self.log_tail()}"
            )
        try:
            common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
            return common.authenticate(
                self.database.name, ADMIN_LOGIN, ADMIN_PASSWORD, {}
            )
        except (OSError, xmlrpc.client.ProtocolError):
            return False

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def execute(self, model, method, *args, timeout=300, **kwargs):
        """``model.method(*args, **kwargs)`` as the administrator, over
        JSON-RPC, which unlike XML-RPC carries methods returning None."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.database.name,
                    self.uid,
                    ADMIN_PASSWORD,
                    model,
                    method,
                    list(args),
                    kwargs,
                ],
            },
        }
        request = urllib.request.Request(
            f"{self.url}/jsonrpc",
            json.dumps(payload).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RpcError(
                data.get("message") or answer["error"].get("message"), data.get("debug")
            )
        return answer.get("result")

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        data = self.execute(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        return data[0]["res_id"]

    def run_cron(self, xmlid, **kwargs):
        """Run a scheduled job once, as the scheduler would."""
        return self.execute(
            "ir.cron", "method_direct_trigger", [self.xmlid(xmlid)], **kwargs
        )

    def ensure_running(self):
        if self.process is None or self.process.poll() is not None:
            self.start()

    def kill(self):
        """SIGKILL: no cleanup, no rollback, like a crash or the OOM killer."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines=60):
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


MAILGATE_SCRIPT = REPO / "helpdesk_intake" / "scripts" / "helpdesk_mailgate.py"


def mailgate_secret(server):
    """The database's mail gateway secret, as an administrator reads it."""
    if not getattr(server, "mailgate_secret", None):
        server.mailgate_secret = server.execute(
            "ir.config_parameter", "get_param", "helpdesk_intake.mailgate_secret"
        )
    return server.mailgate_secret


def mailgate(server, raw, secret=None, url=None, timeout=120):
    """Pipe one message to the helpdesk's mail gateway script, as Postfix or
    Exim do for an alias; returns the script's exit status and error
    output."""
    if secret is None:
        secret = mailgate_secret(server)
    done = subprocess.run(
        [
            sys.executable,
            str(MAILGATE_SCRIPT),
            f"--url={url or server.url}",
            f"--database={server.database.name}",
        ],
        input=raw,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "HELPDESK_MAILGATE_SECRET": secret},
    )
    return done.returncode, done.stderr.decode(errors="replace")
