"""Benchmark: cost of a new request on an empty helpdesk and with a million tickets.

Two databases configured alike by ``_bulk_tickets`` (helpdesk_intake_website,
20 teams with their agents and SLA policies, 50,000 customers): one without
tickets, the other with ``--tickets`` tickets (a customer follower and an
email message each). The same requests go to both, in
rounds that alternate which database goes first:

- emails through ``mail.thread.message_process`` (real RFC 822 messages, a
  commit after each one, as the incoming mail servers do), addressed to a
  team that assigns by balanced load, in four shapes: a first-time sender,
  a known customer (1,000 tickets in the big database, a portal user), a reply
  threaded by its In-Reply-To header and a reply threaded by the ``#ref`` of
  its subject only;
- website forms posted over HTTP to an Odoo server of each database, to a
  team that assigns in turn (round robin), from a new visitor address and
  from the address of the known customer.

Prints, per shape and database, the median time and the SQL queries of one
request (server side for the forms, as Odoo's request log reports them), the
ratio big / empty (target <= 1.10), and the load average. ``--explain``
prints the queries of one email and one form post to the big database with
their time, and EXPLAIN ANALYZE of the slowest.

The databases are named ``<prefix>_empty`` and ``<prefix>_full``; with
``--keep`` they stay for the next run (which then skips the set-up), else
they are dropped at the end.

    python3 tests/benchmarks/bench_growth.py [--prefix bench_growth]
        [--tickets 1000000] [--rounds 9] [--batch 4] [--keep] [--explain N]
"""

import argparse
import contextlib
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import requests
from _bulk_tickets import PORTAL_LOGIN, PREFIX, generate
from _odoo_env import (
    REPO,
    clone_database,
    close_registry,
    committed_env,
    database_exists,
    drop_database,
    free_port,
    install,
    load_average,
    load_registry,
    machine_summary,
    odoo_command,
    psql,
)

MODULES = ["helpdesk_intake_website"]
TARGET_RATIO = 1.10
ALIAS_DOMAIN = "growth-bench.example.com"
VISITOR_DOMAIN = "visitors.growth-bench.example"
EMAIL_TEAM = f"{PREFIX} Team 01"  # balanced assignment, takes the emails
EMAIL_ALIAS = "growth-intake"
FORM_TEAM = f"{PREFIX} Team 02"  # round robin, takes the forms
# Limits lifted for a benchmark that sends hundreds of requests from one
# address and one network in minutes; they are still counted.
LIFTED_PARAMS = {
    "mail.gateway.loop.threshold": "1000000",
    "helpdesk_intake.rate_limit": "1000000",
    "helpdesk_intake.rate_limit_email": "1000000",
}
EMAIL_SHAPES = ("new sender", "known customer", "reply by header", "#ref in subject")
FORM_SHAPES = ("new visitor", "known customer")
SIZES = ("empty", "full")
# Odoo's request log: "<request line>" <status> - <queries> <sql s> <other s>
REQUEST_LOG = re.compile(
    r'"POST /website/form/helpdesk\.ticket HTTP/[\d.]+" 200 - (\d+) ([\d.]+) ([\d.]+)'
)


# ----------------------------------------------------------------------
# SET-UP
# ----------------------------------------------------------------------


def configure(database):
    """The teams, agents, SLA policies and customers of the bulk data
    (without tickets), and the two teams the requests go to."""
    with committed_env(database) as env:
        data = bulk_generate(env, tickets=0)
        ICP = env["ir.config_parameter"]
        for key, value in LIFTED_PARAMS.items():
            ICP.set_param(key, value)
        domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = domain
        email_team, form_team = env["helpdesk.team"].browse(data.team_ids[:2])
        email_team.write(
            {
                "alias_name": EMAIL_ALIAS,
                "alias_domain_id": domain.id,
                "assign_method": "balanced",
            }
        )
        form_team.write({"assign_method": "randomly", "use_website_form": True})


def bulk_generate(env, tickets):
    """``_bulk_tickets.generate`` as a bulk load: without the row-by-row
    foreign key checks, which PostgreSQL plans on the statistics of the
    tables before the load (a scan of the contacts for each new one)."""
    env.cr.execute("SET session_replication_role = replica")
    try:
        return generate(env, tickets=tickets)
    finally:
        env.cr.execute("SET session_replication_role = DEFAULT")


def add_anchor(site):
    """An open ticket of the known customer opened by email, which the
    replies answer: return its reference and the Message-ID of its first
    email."""
    with committed_env(site.database) as env:
        message_id = make_msgid(domain=site.customer[1].split("@")[1])
        env["mail.thread"].message_process(
            False,
            build_email(
                site.customer,
                site.alias,
                "The printer of the second floor is broken",
                message_id=message_id,
            ),
        )
        ticket = env["helpdesk.ticket"].search([("email_message_id", "=", message_id)])
        return ticket.ref, message_id


def prepare(prefix, tickets):
    """Both databases, unless an earlier run kept them: return their names."""
    empty, full = f"{prefix}_empty", f"{prefix}_full"
    if database_exists(empty) and database_exists(full):
        return empty, full
    drop_database(full)
    if not database_exists(empty):
        print(f"creating {empty}...", flush=True)
        install(empty, MODULES)
    if not psql(
        empty, f"SELECT 1 FROM mail_alias_domain WHERE name = '{ALIAS_DOMAIN}'"
    ):
        configure(empty)
    clone_database(empty, full)
    with committed_env(full) as env:
        bulk_generate(env, tickets=tickets)
    psql(empty, "VACUUM ANALYZE")
    return empty, full


def describe(database):
    [[tickets, open_, messages, partners]] = psql(
        database,
        "SELECT (SELECT count(*) FROM helpdesk_ticket),"
        " (SELECT count(*) FROM helpdesk_ticket WHERE NOT is_closed),"
        " (SELECT count(*) FROM mail_message),"
        " (SELECT count(*) FROM res_partner)",
    )
    [[heavy]] = psql(
        database,
        "SELECT count(*) FROM helpdesk_ticket t JOIN res_users u"
        f" ON u.partner_id = t.partner_id WHERE u.login = '{PORTAL_LOGIN}'",
    )
    return (
        f"{int(tickets):,} tickets ({int(open_):,} open), {int(messages):,} "
        f"messages, {int(partners):,} contacts; known customer: {int(heavy):,} "
        "tickets"
    )


# ----------------------------------------------------------------------
# REQUESTS
# ----------------------------------------------------------------------


def build_email(sender, to, subject, message_id=None, in_reply_to=None):
    name, address = sender
    message = EmailMessage()
    message["Return-Path"] = f"<{address}>"
    message["Message-ID"] = message_id or make_msgid(domain=address.split("@")[1])
    message["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    message["From"] = formataddr((name, address))
    message["To"] = to
    message["Subject"] = subject
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(
        "Hello,\n\nsince this morning the printer prints blank pages. I tried "
        "to restart it, nothing changed.\n\nCould you have a look?\n\n"
        f"Best regards,\n{name}\n"
    )
    message.add_alternative(
        "<div><p>Hello,</p><p>since this morning the printer prints blank "
        "pages. I tried to restart it, nothing changed.</p><p>Could you have "
        f"a look?</p><p>Best regards,<br>{name}</p></div>",
        subtype="html",
    )
    return message.as_bytes()


def email_for(shape, site):
    to, heavy = site.alias, site.customer
    ref, anchor_message_id = site.anchor
    if shape == "new sender":
        key = uuid.uuid4().hex[:10]
        return build_email(
            (f"Visitor {key}", f"new-{key}@{VISITOR_DOMAIN}"),
            to,
            f"Cannot log in to the portal ({key})",
        )
    if shape == "known customer":
        return build_email(heavy, to, "Invoice does not match the order")
    if shape == "reply by header":
        return build_email(heavy, to, "Re: the printer", in_reply_to=anchor_message_id)
    return build_email(heavy, to, f"Re: [#{ref}] The printer of the second floor")


def form_for(shape, site):
    key = uuid.uuid4().hex[:10]
    email = (
        site.customer[1]
        if shape == "known customer"
        else f"visitor-{key}@{VISITOR_DOMAIN}"
    )
    return {
        "partner_name": f"Visitor {key}",
        "partner_email": email,
        "partner_phone": "+32 470 12 34 56",
        "name": f"Question {key}",
        "description": "Hello,\nmy order did not arrive.\nRegards",
        "team_id": str(site.form_team_id),
    }


@contextlib.contextmanager
def odoo_server(database, options=()):
    """Serve ``database`` on a free port, without scheduled actions; yield
    its base URL once it answers (which can take a while on a loaded
    machine)."""
    port = free_port()
    server = subprocess.Popen(
        [
            *odoo_command(),
            "-d",
            database,
            f"--db-filter=^{database}$",
            f"--addons-path={REPO}",
            "--http-interface=127.0.0.1",
            f"--http-port={port}",
            "--max-cron-threads=0",
            "--log-level=warn",
            *options,
        ]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/web/health", timeout=30).ok:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Odoo server did not start")
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


class Site:
    """One database: its registry (emails), its server (forms) and what the
    requests need from it."""

    def __init__(self, size, database):
        self.size = size
        self.database = database
        self.registry = load_registry(database)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT name->>'en_US', alias_full_name, t.id FROM helpdesk_team t"
                " JOIN mail_alias a ON a.id = t.alias_id WHERE name->>'en_US' IN %s",
                [(EMAIL_TEAM, FORM_TEAM)],
            )
            teams = {name: (alias, id_) for name, alias, id_ in cr.fetchall()}
            cr.execute(
                "SELECT p.name, p.email FROM res_users u JOIN res_partner p"
                " ON p.id = u.partner_id WHERE u.login = %s",
                [PORTAL_LOGIN],
            )
            self.customer = cr.fetchone()
        self.alias = teams[EMAIL_TEAM][0]
        self.form_team_id = teams[FORM_TEAM][1]
        self.anchor = None
        self.url = None
        self.log_path = None
        self.session = requests.Session()

    def process(self, messages):
        """Seconds and queries of each message, a commit after each one."""
        from odoo import api

        results = []
        with self.registry.cursor() as cr:
            MailThread = api.Environment(cr, api.SUPERUSER_ID, {})["mail.thread"]
            for message in messages:
                queries = cr.sql_log_count
                start = time.perf_counter()
                MailThread.message_process(False, message)
                cr.commit()
                results.append(
                    (time.perf_counter() - start, cr.sql_log_count - queries)
                )
        return results

    def post(self, values):
        """Client seconds of one form post."""
        start = time.perf_counter()
        response = self.session.post(
            f"{self.url}/website/form/helpdesk.ticket", data=values
        )
        elapsed = time.perf_counter() - start
        response.raise_for_status()
        if not (response.json() or {}).get("id"):
            raise RuntimeError(f"form refused: {response.text[:300]}")
        return elapsed

    def server_figures(self, skip):
        """(queries, server seconds) of each form post of the request log,
        after the first ``skip`` ones."""
        with open(self.log_path) as log:
            rows = REQUEST_LOG.findall(log.read())
        return [
            (int(queries), float(sql) + float(other))
            for queries, sql, other in rows[skip:]
        ]


def run(sites, rounds, batch, warmup):
    """Interleaved rounds: per round, each site gets ``batch`` emails of each
    shape and ``batch`` forms of each shape, the site going first
    alternating."""
    emails = {(site.size, shape): [] for site in sites for shape in EMAIL_SHAPES}
    forms = {(site.size, shape): [] for site in sites for shape in FORM_SHAPES}
    loads = []
    for round_ in range(-1, rounds):
        measured = round_ >= 0
        count = batch if measured else warmup
        order = sites if round_ % 2 == 0 else list(reversed(sites))
        for shape in EMAIL_SHAPES:
            for site in order:
                messages = [email_for(shape, site) for _i in range(count)]
                results = site.process(messages)
                if measured:
                    emails[site.size, shape] += results
        for shape in FORM_SHAPES:
            for _i in range(count):
                for site in order:
                    seconds = site.post(form_for(shape, site))
                    if measured:
                        forms[site.size, shape].append(seconds)
        if measured:
            loads.append(os.getloadavg()[0])
    return emails, forms, loads


# ----------------------------------------------------------------------
# REPORT
# ----------------------------------------------------------------------


def report_emails(emails):
    print("\nemail intake (message_process and commit), per email:")
    print(f"{'shape':18} {'empty ms':>9} {'full ms':>9} {'ratio':>6}  queries e/f")
    worst = 0
    for shape in EMAIL_SHAPES:
        empty, full = emails["empty", shape], emails["full", shape]
        t_empty = statistics.median(t for t, _q in empty)
        t_full = statistics.median(t for t, _q in full)
        q_empty = statistics.median(q for _t, q in empty)
        q_full = statistics.median(q for _t, q in full)
        ratio = t_full / t_empty
        worst = max(worst, ratio)
        print(
            f"{shape:18} {t_empty * 1000:9.1f} {t_full * 1000:9.1f} {ratio:6.2f}"
            f"  {q_empty:.0f} / {q_full:.0f}"
        )
    return worst


def report_forms(forms, sites, skip):
    print("\nwebsite form (HTTP POST), per form:")
    print(
        f"{'shape':18} {'empty ms':>9} {'full ms':>9} {'ratio':>6}"
        "  server ms e/f  queries e/f"
    )
    server = {site.size: site.server_figures(skip) for site in sites}
    # the request log lists the posts in the order of run()
    per_shape = {}
    for site in sites:
        rows = server[site.size]
        per_shape[site.size] = {
            shape: rows[i :: len(FORM_SHAPES)] for i, shape in enumerate(FORM_SHAPES)
        }
    worst = 0
    for shape in FORM_SHAPES:
        t_empty = statistics.median(forms["empty", shape])
        t_full = statistics.median(forms["full", shape])
        s_empty = statistics.median(s for _q, s in per_shape["empty"][shape])
        s_full = statistics.median(s for _q, s in per_shape["full"][shape])
        q_empty = statistics.median(q for q, _s in per_shape["empty"][shape])
        q_full = statistics.median(q for q, _s in per_shape["full"][shape])
        ratio = t_full / t_empty
        worst = max(worst, ratio, s_full / s_empty)
        print(
            f"{shape:18} {t_empty * 1000:9.1f} {t_full * 1000:9.1f} {ratio:6.2f}"
            f"  {s_empty * 1000:.1f} / {s_full * 1000:.1f}"
            f"  {q_empty:.0f} / {q_full:.0f}"
        )
    return worst


def explain_email(site, top):
    """The queries of one email of each shape to ``site``, with EXPLAIN
    ANALYZE of the slowest ones."""
    from odoo import api
    from odoo.sql_db import Cursor
    from odoo.tools import SQL

    captured = []
    original = Cursor.execute
    thread = threading.current_thread()

    def execute(self, query, params=None, log_exceptions=True):
        if isinstance(query, SQL):
            query, params = query.code, query.params
        start = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            if threading.current_thread() is thread and capturing:
                captured.append(
                    (time.perf_counter() - start, self.mogrify(query, params))
                )

    capturing = False
    Cursor.execute = execute
    try:
        for shape in EMAIL_SHAPES:
            message = email_for(shape, site)
            with site.registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                captured.clear()
                capturing = True
                env["mail.thread"].message_process(False, message)
                capturing = False
                queries = [
                    (seconds, q.decode() if isinstance(q, bytes) else q)
                    for seconds, q in captured
                ]
                print_queries(f"email, {shape}", queries, top, site)
                cr.rollback()
    finally:
        capturing = False
        Cursor.execute = original


LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.MULTILINE)
QUERY_RECORD = re.compile(r"odoo\.sql_db: \[([\d.]+) ms\] query: (.*)", re.DOTALL)


def explain_form(site, top):
    """The queries of one form post of each shape to ``site``'s database,
    as its server logs them, with EXPLAIN ANALYZE of the slowest ones."""
    handle, log_path = tempfile.mkstemp(suffix=".log")
    os.close(handle)
    try:
        options = (
            f"--logfile={log_path}",
            "--log-handler=werkzeug:INFO",
            "--log-handler=odoo.sql_db:DEBUG",
        )
        with odoo_server(site.database, options=options) as url:
            explained = Site.__new__(Site)
            explained.__dict__.update(site.__dict__, url=url)
            explained.session = requests.Session()
            explained.post(form_for("new visitor", explained))  # warm-up
            for shape in FORM_SHAPES:
                explained.post(form_for(shape, explained))
        with open(log_path) as log:
            text = log.read()
    finally:
        os.unlink(log_path)
    starts = [match.start() for match in LOG_RECORD.finditer(text)] + [len(text)]
    requests_, queries = [], []
    for begin, end in zip(starts, starts[1:], strict=False):
        record = text[begin:end]
        query = QUERY_RECORD.search(record)
        if query:
            queries.append((float(query.group(1)) / 1000, query.group(2).strip()))
        elif REQUEST_LOG.search(record):
            requests_.append(queries)
            queries = []
    for shape, captured in zip(FORM_SHAPES, requests_[1:], strict=False):
        print_queries(f"form, {shape}", captured, top, site)


def print_queries(title, captured, top, site):
    print(f"\n{title}: {len(captured)} queries, slowest first:")
    slowest = sorted(captured, key=lambda row: row[0], reverse=True)[:top]
    for seconds, query in slowest:
        print(f"  {seconds * 1000:7.2f} ms  {' '.join(query.split())[:300]}")
    with site.registry.cursor() as cr:
        for _seconds, query in slowest[:3]:
            if not query.lstrip().upper().startswith("SELECT"):
                continue
            cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
            print("  " + "\n  ".join(row[0] for row in cr.fetchall()))
        cr.rollback()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="bench_growth")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batch", type=int, default=4, help="requests per shape")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--explain", type=int, default=0, metavar="N")
    args = parser.parse_args()

    print(machine_summary(), flush=True)
    databases = prepare(args.prefix, args.tickets)
    try:
        for size, database in zip(SIZES, databases, strict=True):
            print(f"{size}: {database}: {describe(database)}", flush=True)
        with contextlib.ExitStack() as stack:
            sites = [
                Site(size, database)
                for size, database in zip(SIZES, databases, strict=True)
            ]
            for site in sites:
                site.anchor = add_anchor(site)
                handle, site.log_path = tempfile.mkstemp(suffix=".log")
                os.close(handle)
                stack.callback(os.unlink, site.log_path)
                site.url = stack.enter_context(
                    odoo_server(
                        site.database,
                        options=(
                            f"--logfile={site.log_path}",
                            "--log-handler=werkzeug:INFO",
                        ),
                    )
                )
            print(
                f"{args.rounds} rounds of {args.batch} requests per shape and "
                f"database after {args.warmup} warm-up ones; load average before: "
                f"{load_average()}",
                flush=True,
            )
            emails, forms, loads = run(sites, args.rounds, args.batch, args.warmup)
            print(
                f"load average (1 min) during the rounds: median "
                f"{statistics.median(loads):.2f}, max {max(loads):.2f}; after: "
                f"{load_average()}"
            )
            worst = max(
                report_emails(emails),
                report_forms(forms, sites, skip=args.warmup * len(FORM_SHAPES)),
            )
            verdict = "within" if worst <= TARGET_RATIO else "ABOVE"
            print(f"\nworst ratio full / empty: {worst:.2f} ({verdict} {TARGET_RATIO})")
            if args.explain:
                explain_email(sites[1], args.explain)
                explain_form(sites[1], args.explain)
            for site in sites:
                close_registry(site.database)
    finally:
        if not args.keep:
            for database in databases:
                close_registry(database)
                drop_database(database)
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
