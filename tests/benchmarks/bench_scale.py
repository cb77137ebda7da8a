"""Benchmark: the first screens of the helpdesk at 10,000 and at 1,000,000 tickets.

Two databases with the same 20 teams, agents and customers, one holding
``--small`` tickets (10,000), the other ``--tickets`` (1,000,000), generated
in bulk with SQL by ``_bulk_tickets.generate`` (a year of history with a
backlog of open tickets, SLA statuses, tags, followers, one message per
ticket; see there), and a help-center forum of ``--posts`` questions (1 % of
them in the small database). Then measures, side by side, in rounds
alternating the two databases, the server time and the queries of:

- the ticket kanban (the default view of Tickets, "Open" filter): one
  ``web_read_group`` by stage unfolding each column with its first 40 cards in
  priority order, and the ``read_progress_bar`` call made alongside;
- the same kanban for one team, as opened from the team overview;
- the ticket list: ``web_search_read``, first 80 rows in the default order,
  counted up to 10,001;
- the team overview: ``web_search_read`` of the team kanban with its
  dashboard counters;

as a helpdesk agent, in process, each call in its own transaction with empty
record caches, like a request; and, over HTTP against one Odoo server per
database (``--workers=0``), with the server time (SQL + Python) and query count
read from Odoo's request log line:

- ``/my/tickets`` of a portal customer who has 1,000 tickets;
- ``/helpdesk/<team>/suggest?q=...`` of the help center, as a visitor.

Target: each call <= 150 ms, with as many queries at 1,000,000 tickets as at
10,000. With ``--explain N``, prints the queries of each call by shape and
EXPLAIN (ANALYZE, BUFFERS) of its N slowest ones, in the big database.

The databases are kept (``helpdesk_scale_bench_10k`` and
``helpdesk_scale_bench_1m`` by default; ``--drop`` drops them at the end) and
only the tickets missing are generated, so that measuring again is quick. A
database that does not exist is copied from ``--template`` when given, else
created with the addons.

    python3 tests/benchmarks/bench_scale.py [--tickets N] [--small N]
        [--database DB] [--small-database DB] [--template DB] [--posts N]
        [--runs R] [--explain N] [--drop] [--no-http]
"""

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time

from _bulk_tickets import generate, generate_forum_posts
from _odoo_env import (
    REPO,
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
)

MODULES = ["helpdesk_intake", "helpdesk_intake_website_forum"]
TARGET_MS = 150
# What the web client sends with every call.
CONTEXT = {"lang": "en_US", "tz": "Europe/Brussels", "bin_size": True}
# What visitors type as the subject of a ticket: words of several titles,
# and words of none.
SUGGEST_TERMS = (
    "printer error laserjet 300",
    "reset password",
    "invoice does not match",
    "zzz nothing like this",
)
FORUM_MEMBER_LOGIN = "bulk-forum-member"

# Read specifications of the views, as the web client builds them from the
# arch of helpdesk_intake's views (fields, widgets' dependencies, relations).
MANY2ONE = {"fields": {"display_name": {}}, "context": {}}
TAGS_SPEC = {"fields": {"display_name": {}, "color": {}}, "context": {}}
ACTIVITY_SPEC = {
    "activity_ids": {},
    "activity_exception_decoration": {},
    "activity_exception_icon": {},
    "activity_state": {},
    "activity_summary": {},
    "activity_type_icon": {},
    "activity_type_id": MANY2ONE,
}
KANBAN_SPEC = {
    "is_closed": {},
    "priority": {},
    "name": {},
    "ref": {},
    "partner_id": MANY2ONE,
    "tag_ids": TAGS_SPEC,
    "sla_status_ids": TAGS_SPEC,
    "sla_deadline": {},
    "properties": {},
    "intake_channel": {},
    "user_id": MANY2ONE,
    **ACTIVITY_SPEC,
}
LIST_SPEC = {
    "priority": {},
    "ref": {},
    "name": {},
    "partner_id": MANY2ONE,
    "team_id": MANY2ONE,
    "user_id": MANY2ONE,
    "intake_channel": {},
    "tag_ids": TAGS_SPEC,
    "sla_status_ids": TAGS_SPEC,
    "sla_deadline": {},
    "stage_id": MANY2ONE,
    "create_date": {},
    **ACTIVITY_SPEC,
}
TEAM_KANBAN_SPEC = {
    "color": {},
    "name": {},
    "use_alias": {},
    "use_sla": {},
    "open_ticket_count": {},
    "unassigned_ticket_count": {},
    "urgent_ticket_count": {},
    "sla_failed_count": {},
    "sla_success_rate_display": {},
    "email_today_count": {},
    "closed_recent_count": {},
}
# The action's domain and its default "Open" filter.
OPEN = ["&", ("is_spam", "=", False), ("is_closed", "=", False)]
PROGRESS_BAR = {
    "field": "priority",
    "colors": {"3": "danger", "2": "warning", "1": "info", "0": "muted"},
    "help": {},
}
# A request line of Odoo's log: path, status, queries, SQL s, other s.
REQUEST_LOG = re.compile(
    r'"GET (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) - '
    r"(?P<queries>\d+) (?P<sql>[\d.]+) (?P<other>[\d.]+)"
)


# ----------------------------------------------------------------------
# DATA
# ----------------------------------------------------------------------


def ensure_database(name, template):
    if database_exists(name):
        return
    if template:
        print(f"copying {template} as {name}...", flush=True)
        subprocess.run(["createdb", "-T", template, name], check=True)
        from _odoo_env import install_missing

        install_missing(name, MODULES)
    else:
        print(f"creating {name} with {', '.join(MODULES)}...", flush=True)
        install(name, MODULES)


def set_up(database, tickets, posts):
    """The bulk data, and the help center of the first team: its form page
    and forum, with ``posts`` questions of a member with karma."""
    from odoo.fields import Command

    with committed_env(database) as env:
        data = generate(env, tickets=tickets)
        team = env["helpdesk.team"].browse(data.team_ids[0])
        if not team.use_website_forum:
            team.write(
                {
                    "website_id": env.ref("website.default_website").id,
                    "use_website_form": True,
                    "use_website_forum": True,
                }
            )
        member = env["res.users"].search([("login", "=", FORUM_MEMBER_LOGIN)])
        if not member:
            member = env["res.users"].create(
                {
                    "name": "Bulk Forum Member",
                    "login": FORUM_MEMBER_LOGIN,
                    "group_ids": [Command.set(env.ref("base.group_portal").ids)],
                    "karma": 200,
                }
            )
        env.cr.commit()
        generate_forum_posts(env, team.website_forum_id, posts, author_uid=member.id)
        slug = team.website_page_id.url.rsplit("/", 1)[-1]
        env.cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT is_closed)"
            " FROM helpdesk_ticket"
        )
        total, open_ = env.cr.fetchone()
        print(
            f"{database}: {total:,} tickets ({open_:,} open) in "
            f"{len(data.team_ids)} teams, {data.customer_count:,} customers, "
            f"{posts:,} forum questions; help center /helpdesk/{slug}",
            flush=True,
        )
        return data, slug


# ----------------------------------------------------------------------
# MEASURE IN PROCESS
# ----------------------------------------------------------------------


def operations(env, team_id):
    """The calls of each screen, by name, as functions of an environment."""

    def kanban(env, domain=OPEN, context=None):
        Ticket = env["helpdesk.ticket"].with_context(
            read_group_expand=True, **(context or {})
        )
        return Ticket.web_read_group(
            domain,
            ["stage_id"],
            [],
            order="",
            auto_unfold=True,
            opening_info=[],
            unfold_read_specification=KANBAN_SPEC,
            unfold_read_default_limit=40,
            groupby_read_specification={},
        )

    def progress_bar(env):
        return env["helpdesk.ticket"].read_progress_bar(OPEN, "stage_id", PROGRESS_BAR)

    def team_kanban(env):
        domain = ["&", ("team_id", "in", [team_id]), *OPEN]
        return kanban(env, domain, {"default_team_id": team_id})

    def ticket_list(env):
        return env["helpdesk.ticket"].web_search_read(
            OPEN, LIST_SPEC, offset=0, limit=80, order="", count_limit=10001
        )

    def team_overview(env):
        return env["helpdesk.team"].web_search_read(
            [], TEAM_KANBAN_SPEC, offset=0, limit=40, order="", count_limit=10001
        )

    return {
        "ticket kanban (web_read_group)": kanban,
        "ticket kanban (read_progress_bar)": progress_bar,
        "one team's kanban (web_read_group)": team_kanban,
        "ticket list (web_search_read)": ticket_list,
        "team overview (web_search_read)": team_overview,
    }


def call(registry, uid, operation, hook=None):
    """Run ``operation`` in its own transaction, as a request would; return
    its seconds, SQL queries and seconds spent in SQL."""
    from odoo import api

    thread = threading.current_thread()
    with registry.cursor() as cr:
        env = api.Environment(cr, uid, CONTEXT)
        thread.query_count, thread.query_time = 0, 0.0
        thread.query_hooks = [hook] if hook else []
        start = time.perf_counter()
        try:
            operation(env)
            return time.perf_counter() - start, thread.query_count, thread.query_time
        finally:
            thread.query_hooks = []
            cr.rollback()


def agent_of(registry, data):
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, CONTEXT)
        return env["res.users"].search([("login", "=", data.agent_logins[0])]).id


# ----------------------------------------------------------------------
# MEASURE OVER HTTP
# ----------------------------------------------------------------------


class Server:
    """An Odoo server of one database (``--workers=0``, no cron), logging its
    requests with their query count and times to ``logfile``."""

    def __init__(self, database, logfile):
        self.database, self.logfile = database, logfile

    def __enter__(self):
        import requests

        port = free_port()
        open(self.logfile, "w").close()
        self.process = subprocess.Popen(
            odoo_command(
                "-d",
                self.database,
                f"--db-filter=^{self.database}$",
                f"--addons-path={REPO}",
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                f"--gevent-port={free_port()}",
                "--workers=0",
                "--max-cron-threads=0",
                "--log-level=warn",
                "--log-handler=werkzeug:INFO",
                f"--logfile={self.logfile}",
            )
        )
        self.url = f"http://127.0.0.1:{port}"
        self.session, self.visitor = requests.Session(), requests.Session()
        # A loaded machine takes a while to load the registry: wait for the
        # login page rather than for the first answer.
        for _attempt in range(240):
            if self.process.poll() is not None:
                raise RuntimeError(f"the Odoo server of {self.database} stopped")
            try:
                if requests.get(f"{self.url}/web/login", timeout=60).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"the Odoo server of {self.database} did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)

    def login(self, login, password):
        page = self.session.get(f"{self.url}/web/login", timeout=60).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.session.post(
            f"{self.url}/web/login",
            data={"login": login, "password": password, "csrf_token": token},
            timeout=60,
        )
        response.raise_for_status()
        if "/web/login" in response.url:
            raise RuntimeError(f"cannot log in as {login} on {self.database}")

    def get(self, path, visitor=False):
        """GET ``path``; return (server seconds, queries, SQL seconds) from
        the log line of the request."""
        with open(self.logfile) as log:
            log.seek(0, 2)
            offset = log.tell()
        session = self.visitor if visitor else self.session
        response = session.get(f"{self.url}{path}", timeout=120)
        response.raise_for_status()
        for _attempt in range(50):
            with open(self.logfile) as log:
                log.seek(offset)
                for line in log:
                    match = REQUEST_LOG.search(line)
                    if match and match["path"] == path:
                        sql, other = float(match["sql"]), float(match["other"])
                        return sql + other, int(match["queries"]), sql
            time.sleep(0.05)
        raise RuntimeError(f"no log line for {path}")


def http_operations(slug):
    def my_tickets(server, round_):
        return server.get("/my/tickets")

    def my_tickets_page(server, round_):
        return server.get("/my/tickets/page/5?sortby=priority&filterby=open")

    def my_tickets_grouped(server, round_):
        return server.get("/my/tickets?groupby=stage")

    def suggest(server, round_):
        term = SUGGEST_TERMS[round_ % len(SUGGEST_TERMS)].replace(" ", "+")
        return server.get(f"/helpdesk/{slug}/suggest?q={term}", visitor=True)

    return {
        "/my/tickets (HTTP)": my_tickets,
        "/my/tickets, page 5, open (HTTP)": my_tickets_page,
        "/my/tickets by stage (HTTP)": my_tickets_grouped,
        "help-center suggest (HTTP)": suggest,
    }


# ----------------------------------------------------------------------
# REPORT
# ----------------------------------------------------------------------


def run_rounds(sides, runs, warmup):
    """``sides``: {label: (callable(operation, round) -> sample, operations)}.
    Alternate the sides within each round; return {op: {label: samples}}."""
    names = list(next(iter(sides.values()))[1])
    samples = {name: {label: [] for label in sides} for name in names}
    for round_ in range(warmup + runs):
        for name in names:
            for label, (runner, ops) in sides.items():
                sample = runner(ops[name], round_)
                if round_ >= warmup:
                    samples[name][label].append(sample)
    return samples


def report(samples, small_label, big_label):
    print(
        f"{'call':38} {small_label + ' ms':>10} {big_label + ' ms':>10}"
        f" {'ratio':>6} {'queries':>13} {'SQL ms':>13}"
    )
    missed, rows = [], []
    for name, by_label in samples.items():
        small, big = by_label[small_label], by_label[big_label]
        median = {
            label: statistics.median(s for s, _q, _t in runs) * 1000
            for label, runs in by_label.items()
        }
        sql = {
            label: statistics.median(t for _s, _q, t in runs) * 1000
            for label, runs in by_label.items()
        }
        queries = (
            sorted({q for _s, q, _t in small}),
            sorted({q for _s, q, _t in big}),
        )
        same = queries[0] == queries[1]
        q_text = f"{'/'.join(map(str, queries[0]))} vs {'/'.join(map(str, queries[1]))}"
        print(
            f"{name:38} {median[small_label]:10.1f} {median[big_label]:10.1f}"
            f" {median[big_label] / median[small_label]:6.2f}"
            f" {q_text:>13}{'' if same else '!'} "
            f"{sql[small_label]:5.1f} / {sql[big_label]:5.1f}"
        )
        rows.append((name, median, queries, sql))
        if median[big_label] > TARGET_MS or not same:
            missed.append(name)
    print(f"load average {load_average()}")
    if missed:
        print(
            f"MISSED (> {TARGET_MS} ms at {big_label} or more queries): "
            f"{', '.join(missed)}"
        )
    else:
        print(f"every call within {TARGET_MS} ms with the same queries")
    return missed


def explain(registry, uid, ops, top):
    """Per call, where its SQL time goes (queries of the same shape added up,
    which shows one query per record), then EXPLAIN (ANALYZE, BUFFERS) of its
    ``top`` slowest queries."""
    for name, operation in ops.items():
        queries = []

        def hook(cr, query, params, start, delay, queries=queries):
            if query.lstrip().upper().startswith("SELECT"):
                queries.append((delay, query, cr.mogrify(query, params).decode()))

        call(registry, uid, operation, hook)
        print_plans(registry, name, queries, top)


def print_plans(registry, name, queries, top):
    shapes = {}
    for delay, query, _sql in queries:
        shape = " ".join(query.split())[:100]
        count, total = shapes.get(shape, (0, 0.0))
        shapes[shape] = (count + 1, total + delay)
    print(f"\n=== {name}: {len(queries)} SELECT queries; by shape:")
    ranked = sorted(shapes.items(), key=lambda item: -item[1][1])
    for shape, (count, total) in ranked[:3]:
        print(f"  {count:4d} x, {total * 1000:6.1f} ms: {shape}...")
    print(f"slowest {top}:")
    with registry.cursor() as cr:
        for delay, _query, sql in sorted(queries, reverse=True)[:top]:
            cr.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cr.fetchall())
            print(f"\n--- {delay * 1000:.1f} ms: {sql}\n{plan}")
        cr.rollback()


def explain_http(registry, data, slug, top):
    """The queries of the HTTP calls, replayed in process through the same
    model methods the controllers call, for their plans."""
    from odoo import api
    from odoo.fields import Domain

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, CONTEXT)
        portal_uid = env["res.users"].search([("login", "=", data.portal_login)]).id
        public_uid = env.ref("base.public_user").id
        team_id = data.team_ids[0]

    def portal_list(env):
        # the domain of the portal controller for a portal user
        Ticket = env["helpdesk.ticket"]
        followed = (
            env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("partner_id", "=", env.user.partner_id.id),
                ],
                ["res_id"],
            )
        )
        domain = Domain("partner_id", "=", env.user.partner_id.id) | Domain(
            "id", "in", followed.mapped("res_id")
        )
        Ticket.search_count(domain)
        Ticket.search(domain, order="create_date desc, id desc", limit=20).read(
            ["name", "ref", "stage_id", "team_id", "priority", "create_date"]
        )

    def suggest(env):
        team = env["helpdesk.team"].sudo().browse(team_id)
        team._help_suggest(env.user, SUGGEST_TERMS[0])

    for name, uid, operation in (
        ("/my/tickets (searches as the portal user)", portal_uid, portal_list),
        ("help-center suggest (as a visitor)", public_uid, suggest),
    ):
        queries = []

        def hook(cr, query, params, start, delay, queries=queries):
            if query.lstrip().upper().startswith("SELECT"):
                queries.append((delay, query, cr.mogrify(query, params).decode()))

        call(registry, uid, operation, hook)
        print_plans(registry, name, queries, top)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--database", default="helpdesk_scale_bench_1m")
    parser.add_argument("--small-database", default="helpdesk_scale_bench_10k")
    parser.add_argument("--template", help="database to copy when one is missing")
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15, help="measured runs per call")
    parser.add_argument("--warmup", type=int, default=3, help="runs before measuring")
    parser.add_argument("--explain", type=int, default=0, help="plans per call")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP calls")
    parser.add_argument("--drop", action="store_true", help="drop the databases")
    args = parser.parse_args()

    print(machine_summary(), flush=True)
    small_label, big_label = f"{args.small // 1000}k", f"{args.tickets // 1000}k"
    if args.tickets >= 1_000_000:
        big_label = f"{args.tickets / 1_000_000:g}M"
    databases = {small_label: args.small_database, big_label: args.database}
    sizes = {small_label: args.small, big_label: args.tickets}
    posts = {small_label: max(args.posts // 100, 100), big_label: args.posts}
    try:
        setup = {}
        for label, database in databases.items():
            ensure_database(database, args.template)
            start = time.perf_counter()
            setup[label] = set_up(database, sizes[label], posts[label])
            print(
                f"{database} ready in {time.perf_counter() - start:.1f} s "
                f"(load average {load_average()})",
                flush=True,
            )
        registries = {label: load_registry(db) for label, db in databases.items()}
        sides = {}
        for label, registry in registries.items():
            data, _slug = setup[label]
            uid = agent_of(registry, data)
            with registry.cursor() as cr:
                from odoo import api

                ops = operations(api.Environment(cr, uid, CONTEXT), data.team_ids[0])

            def runner(operation, _round, registry=registry, uid=uid):
                return call(registry, uid, operation)

            sides[label] = (runner, ops)
        print(
            f"\n## in process, as an agent: {args.runs} rounds after {args.warmup}"
            f" warm-up rounds, alternating {small_label} and {big_label}"
            f" (load average {load_average()})"
        )
        missed = report(
            run_rounds(sides, args.runs, args.warmup), small_label, big_label
        )
        if not args.no_http:
            missed += measure_http(databases, setup, args, small_label, big_label)
        if args.explain:
            registry = registries[big_label]
            data, slug = setup[big_label]
            print(f"\n## query plans at {big_label}")
            explain(
                registry, agent_of(registry, data), sides[big_label][1], args.explain
            )
            explain_http(registry, data, slug, args.explain)
    finally:
        for database in databases.values():
            close_registry(database)
            if args.drop:
                drop_database(database)
    return 1 if missed else 0


def measure_http(databases, setup, args, small_label, big_label):
    import contextlib

    with contextlib.ExitStack() as stack:
        sides = {}
        for label, database in databases.items():
            server = stack.enter_context(
                Server(database, f"/tmp/{database}-requests.log")
            )
            data, slug = setup[label]
            server.login(data.portal_login, data.portal_login)
            sides[label] = (
                lambda operation, round_, server=server: operation(server, round_),
                http_operations(slug),
            )
        print(
            f"\n## over HTTP, one server per database (--workers=0), server time"
            f" from Odoo's request log: {args.runs} rounds after {args.warmup}"
            f" (load average {load_average()})"
        )
        return report(run_rounds(sides, args.runs, args.warmup), small_label, big_label)


if __name__ == "__main__":
    sys.exit(main())
