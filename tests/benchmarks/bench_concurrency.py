"""Benchmark: 1, 2 and 4 Odoo workers fetching one mailbox while visitors
post the website ticket form.

For each worker count N, a copy of the database is served by Odoo in prefork
mode with N workers for the mail plus one per visitor, and a Dovecot mailbox
(the mail path tests' harness) is filled with emails of the shapes of
``tests/mail_path/corpus.py``: new requests (plain text, HTML, attachments,
inline images, Latin-1), a few delivered twice as a relay that retried does,
and replies threaded by headers to tickets opened before the run. Then, at
the same time:

- N fetchers each press "Fetch Now" (``fetch_mail`` over RPC, served by one
  worker each) until no email is left unread, in one of two layouts:
  ``one-server``: one incoming mail server, as configured in production (the
  server's row lock lets one fetch run at a time, the others skip it);
  ``n-servers``: N incoming mail servers on the same account, all reading
  the same mailbox at once (only the receipts of the emails keep them from
  storing an email twice);
- visitors open the team's form page (session and CSRF token) and post the
  form as fast as they can, until the fetchers are done. The rate limits of
  the public channels are raised for the run, not removed, so that posts
  still take their lock per client network.

Prints per run: emails/s, form posts/s and the total time; the checks (each
Message-ID exactly once in mail_message, each email's ticket exactly once,
every reply in its ticket's thread, nothing lost, every email ``\\Seen`` in
the mailbox, every accepted post one ticket); and what the time went to:
CPU seconds of the Odoo workers, of their PostgreSQL backends and of
Dovecot, the machine's busy cores, the samples of pg_stat_activity (every
0.25 s) by state and wait event, the lock waits seen in pg_locks, the
transactions committed and rolled back (every read-only request ends with a
rollback; a receipt's serialization failure, retried, adds one) and Odoo's
log lines of skipped fetches and of duplicate emails ignored.

The machine is shared and has few cores: 4 workers on 2 cores measure
contention, not scaling. The load average is printed with every figure.

Needs Dovecot (``DOVECOT=/path`` overrides). ``--database`` names a database
with helpdesk_intake_website installed to copy for each run (nobody may be
connected to it); without it, a throwaway one is created. The copies are
named ``<prefix>_<layout><N>`` and dropped afterwards.

    python3 tests/benchmarks/bench_concurrency.py [--database DB]
        [--prefix bench_concurrency] [--emails 300] [--workers 1,2,4]
        [--layouts one-server,n-servers] [--visitors 2] [--rounds 1]
"""

import argparse
import contextlib
import itertools
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter

import psutil
import psycopg2
import requests
from _odoo_env import REPO, drop_database, install, load_average, machine_summary

sys.path.insert(0, os.path.join(REPO, "tests"))
from mail_path import checks, harness  # noqa: E402 - the tests' Dovecot and Odoo
from mail_path.corpus import REPLY, TICKET, Corpus  # noqa: E402
from mail_path.helpdesk import DOMAIN, EMPLOYEE, Helpdesk  # noqa: E402

MODULES = ["helpdesk_intake_website"]
RATE_LIMITS = ("helpdesk_intake.rate_limit", "helpdesk_intake.rate_limit_email")
CSRF_TOKEN = re.compile(r'csrf_token: "([^"]+)"')
OPENINGS = 10
SAMPLE_SECONDS = 0.25
# a fetch that returns this fast found the server locked by another worker
SKIPPED_FETCH_SECONDS = 0.5
LOG_EVENTS = {
    "skipped fetches": re.compile(r"Skip mail server id \d+ \(unavailable\)"),
    "duplicate emails ignored": re.compile(r"found duplicated Message-Id"),
    "emails left for later": re.compile(r"Fetched \d+ email\(s\) .*, [1-9]\d* left"),
    "failed emails": re.compile(r"Failed to process an email"),
    "errors": re.compile(r" (ERROR|CRITICAL) "),
}


class BenchServer(harness.OdooServer):
    """The mail path tests' Odoo server, with time limits a fetch of a
    loaded machine stays within."""

    def command(self):
        return [
            *super().command(),
            "--limit-time-real=900",
            "--limit-time-cpu=900",
        ]


def corpus_batches(corpus, emails):
    """The emails opening tickets before the run, and those of the run:
    ``emails`` deliveries, a third of them replies, one new request in
    twenty delivered twice."""
    builders = [
        corpus.plain,
        corpus.html_only,
        corpus.with_attachments,
        corpus.alternative_inline_images,
        corpus.latin1,
    ]
    numbers = itertools.count(1)

    def new(count):
        return [builders[i % len(builders)](next(numbers)) for i in range(count)]

    opening = new(OPENINGS)
    replies = emails // 3
    news = []
    deliveries = 0
    while deliveries < emails - replies:
        (mail,) = new(1)
        if len(news) % 20 == 3 and deliveries + 2 <= emails - replies:
            mail.copies = 2
        news.append(mail)
        deliveries += mail.copies
    answers = [
        corpus.reply(
            next(numbers),
            ticket,
            "reply/threaded",
            f"Re: {ticket.title}",
            in_reply_to=ticket.message_id,
            references=ticket.message_id,
        )
        for _i, ticket in zip(range(replies), itertools.cycle(opening), strict=False)
    ]
    # the replies arrive between the new requests, as they would
    batch = []
    ratio = max(1, len(news) // max(1, len(answers)))
    answers_left = iter(answers)
    for index, mail in enumerate(news):
        batch.append(mail)
        if index % ratio == ratio - 1:
            batch.extend(itertools.islice(answers_left, 1))
    batch.extend(answers_left)
    return opening, batch


# ----------------------------------------------------------------------
# what runs at the same time
# ----------------------------------------------------------------------


class Background(threading.Thread):
    def __init__(self, target, *args):
        super().__init__(daemon=True)
        self._work = target
        self._args = args
        self.error = None

    def run(self):
        try:
            self._work(*self._args)
        except Exception as error:  # noqa: BLE001 - reported with the figures
            self.error = error


def drain(server, server_id, mailbox, calls):
    """Press "Fetch Now" on ``server_id`` until the mailbox has no unread
    email left."""
    while mailbox.unseen_count():
        start = time.monotonic()
        server.execute("fetchmail.server", "fetch_mail", [server_id], timeout=900)
        took = time.monotonic() - start
        calls.append(took)
        if took < SKIPPED_FETCH_SECONDS:
            time.sleep(SKIPPED_FETCH_SECONDS)  # as the next scheduler run would


def visit(url, page, team_id, stop, accepted, refused):
    """New visitors, one after the other: the page, then the form."""
    while not stop.is_set():
        key = uuid.uuid4().hex[:12]
        with requests.Session() as session:
            try:
                answer = session.get(url + page, timeout=120)
                token = CSRF_TOKEN.search(answer.text)
                if answer.status_code != 200 or not token:
                    refused.append(f"page {answer.status_code}")
                    continue
                fields = {
                    "partner_name": f"Visitor {key}",
                    "partner_email": f"visitor-{key}@load.example.com",
                    "name": f"The checkout fails ({key})",
                    "description": "Hello,\nthe checkout page stays blank.\nRegards",
                    "team_id": str(team_id),
                    "csrf_token": token.group(1),
                }
                answer = session.post(
                    f"{url}/website/form/helpdesk.ticket",
                    files={name: (None, value) for name, value in fields.items()},
                    timeout=120,
                )
                ticket_id = answer.status_code == 200 and answer.json().get("id")
            except (requests.RequestException, ValueError) as error:
                refused.append(type(error).__name__)
                continue
            if ticket_id:
                accepted.append(ticket_id)
            else:
                refused.append(f"post {answer.status_code}: {answer.text[:120]}")


class Sampler(threading.Thread):
    """Samples what the database's sessions do and the CPU time of each
    process involved, until stopped."""

    def __init__(self, database, groups):
        super().__init__(daemon=True)
        self.database = database
        self.groups = groups  # name -> callable returning root pids
        self.stop = threading.Event()
        self.activity = Counter()
        self.lock_waits = Counter()
        self.samples = 0
        self.cpu = {}  # pid -> (group, first cpu seconds, last cpu seconds)
        self.started = set()

    def _cpu_seconds(self, pid):
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            return times.user + times.system
        return None

    def _processes(self, backends):
        for group, roots in self.groups.items():
            for root in roots():
                with contextlib.suppress(psutil.Error):
                    process = psutil.Process(root)
                    yield group, root
                    for child in process.children(recursive=True):
                        yield group, child.pid
        for pid in backends:
            yield "postgres", pid

    def sample_cpu(self, backends, first=False):
        for group, pid in self._processes(backends):
            seconds = self._cpu_seconds(pid)
            if seconds is None:
                continue
            if pid not in self.cpu:
                # a process born during the run counts from zero
                start = seconds if first else 0.0
                self.cpu[pid] = (group, start, seconds)
            else:
                self.cpu[pid] = (group, self.cpu[pid][1], seconds)

    def cpu_by_group(self):
        totals = Counter()
        for group, first, last in self.cpu.values():
            totals[group] += last - first
        return totals

    def run(self):
        conn = psycopg2.connect(dbname=self.database, **harness.pg_params())
        conn.autocommit = True
        first = True
        try:
            with conn.cursor() as cr:
                while not self.stop.is_set():
                    cr.execute(
                        """
                        SELECT pid, state, wait_event_type, wait_event
                          FROM pg_stat_activity
                         WHERE datname = %s AND pid <> pg_backend_pid()
                        """,
                        (self.database,),
                    )
                    rows = cr.fetchall()
                    for _pid, state, wait_type, wait_event in rows:
                        if state == "idle":
                            continue
                        if state == "active":
                            what = f"{wait_type}:{wait_event}" if wait_type else "CPU"
                            self.activity[f"active, {what}"] += 1
                        else:
                            self.activity[f"{state} (in Odoo)"] += 1
                    cr.execute(
                        """
                        SELECT l.locktype, l.mode, count(*)
                          FROM pg_locks l
                          JOIN pg_stat_activity a ON a.pid = l.pid
                         WHERE NOT l.granted AND a.datname = %s
                         GROUP BY 1, 2
                        """,
                        (self.database,),
                    )
                    for locktype, mode, count in cr.fetchall():
                        self.lock_waits[f"{locktype} {mode}"] += count
                    self.samples += 1
                    self.sample_cpu([row[0] for row in rows], first=first)
                    first = False
                    self.stop.wait(SAMPLE_SECONDS)
        finally:
            conn.close()


def rollbacks(database):
    conn = psycopg2.connect(dbname="postgres", **harness.pg_params())
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT xact_commit, xact_rollback FROM pg_stat_database"
                " WHERE datname = %s",
                (database,),
            )
            return cr.fetchone()
    finally:
        conn.close()


# ----------------------------------------------------------------------
# one run
# ----------------------------------------------------------------------


def set_up(server, sink, dovecot, mailbox_name, fetchers):
    """Team, published form, rate limits, incoming mail servers."""
    helpdesk = Helpdesk(server, sink).configure()
    team = helpdesk.add_team("Concurrency Benchmark", "concurrency")
    helpdesk.execute("helpdesk.team", "write", [team.id], {"use_website_form": True})
    (values,) = helpdesk.execute("helpdesk.team", "read", [team.id], ["website_url"])
    for key in RATE_LIMITS:
        helpdesk.execute("ir.config_parameter", "set_param", key, "100000000")
    mailbox = dovecot.mailbox(mailbox_name)
    server_ids = [
        helpdesk.add_fetchmail(mailbox, f"Concurrency mailbox {index + 1}")
        for index in range(fetchers)
    ]
    return helpdesk, team, values["website_url"], mailbox, server_ids


def run_once(template, prefix, layout, workers, args, dovecot, sink, workdir):
    name = f"{prefix}_{layout.replace('-', '')}{workers}"
    database = harness.Database.clone(template, name)
    server = None
    try:
        server = BenchServer(
            database, workdir, name=name, workers=workers + args.visitors
        ).start()
        helpdesk, team, page, mailbox, server_ids = set_up(
            server,
            sink,
            dovecot,
            f"{name}_{uuid.uuid4().hex[:6]}",
            workers if layout == "n-servers" else 1,
        )
        corpus = Corpus(team.alias, helpdesk.bounce, DOMAIN, EMPLOYEE)
        opening, batch = corpus_batches(corpus, args.emails)
        mailbox.deliver_all(m.raw for m in opening)
        drain(server, server_ids[0], mailbox, [])
        deliveries = [m.raw for m in batch for _copy in range(m.copies)]
        mailbox.deliver_all(deliveries)

        sampler = Sampler(
            name,
            {
                "odoo": lambda: [server.process.pid],
                "dovecot": lambda: [dovecot.process.pid],
            },
        )
        before = rollbacks(name)
        load_before = load_average()
        machine_before = psutil.cpu_times()
        stop = threading.Event()
        accepted, refused, calls = [], [], []
        sampler.start()
        visitors = [
            Background(visit, server.url, page, team.id, stop, accepted, refused)
            for _visitor in range(args.visitors)
        ]
        fetchers = [
            Background(drain, server, server_ids[i % len(server_ids)], mailbox, calls)
            for i in range(workers)
        ]
        start = time.perf_counter()
        for thread in visitors + fetchers:
            thread.start()
        for thread in fetchers:
            thread.join(1800)
        seconds = time.perf_counter() - start
        stop.set()
        for thread in visitors:
            thread.join(300)
        form_seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join(30)
        machine_after = psutil.cpu_times()
        after = rollbacks(name)
        load_after = load_average()

        figures = {
            "layout": layout,
            "workers": workers,
            "emails": len(deliveries),
            "seconds": seconds,
            "emails_per_s": len(deliveries) / seconds,
            "posts": len(accepted),
            "posts_per_s": len(accepted) / form_seconds,
            "refused": refused,
            "load": (load_before, load_after),
            "fetch_calls": calls,
            "errors": [t.error for t in fetchers + visitors if t.error],
            "cpu": sampler.cpu_by_group(),
            "machine_busy": busy_cores(machine_before, machine_after, form_seconds),
            "activity": sampler.activity,
            "lock_waits": sampler.lock_waits,
            "samples": sampler.samples,
            "commits": after[0] - before[0],
            "rollbacks": after[1] - before[1],
            "log": log_events(server.log),
        }
        server.stop()
        figures["checks"] = verify(database, mailbox, team, opening + batch, accepted)
        return figures
    finally:
        if server:
            server.stop()
        if not args.keep:
            database.drop()


def busy_cores(before, after, seconds):
    idle = (after.idle + after.iowait) - (before.idle + before.iowait)
    total = sum(after) - sum(before)
    return (total - idle) / total * os.cpu_count() if total else 0.0


def log_events(path):
    counts = Counter()
    with open(path, errors="replace") as log:
        for line in log:
            for event, pattern in LOG_EVENTS.items():
                if pattern.search(line):
                    counts[event] += 1
    return counts


def verify(database, mailbox, team, mails, accepted):
    """The checks of the run, as ``{name: (ok, detail)}``."""
    result = {}
    emails = [m for m in mails if m.outcome in (TICKET, REPLY)]
    counts = dict(
        database.rows(
            "SELECT message_id, count(*) FROM mail_message"
            " WHERE message_id = ANY(%s) GROUP BY message_id",
            ([m.message_id for m in emails],),
        )
    )
    duplicated = sorted(mid for mid, count in counts.items() if count > 1)
    lost_ids = sorted(m.message_id for m in emails if m.message_id not in counts)
    result["each Message-ID once in mail_message"] = (
        not duplicated,
        f"{len(duplicated)} duplicated of {len(emails)}",
    )
    result["no email lost"] = (not lost_ids, f"{len(lost_ids)} missing")
    found = checks.tickets(database, team.id)
    email_keys = {m.message_id for m in mails if m.outcome == TICKET}
    twice = [key for key in email_keys if len(found.get(key, [])) > 1]
    result["each email's ticket once"] = (
        not twice and all(found.get(key) for key in email_keys),
        f"{len(email_keys)} expected, {len(twice)} duplicated, "
        f"{sum(1 for key in email_keys if not found.get(key))} missing",
    )
    others = [key for key in found if key not in email_keys]
    problems = checks.compare(database, mails, team.id, others=others)
    result["threads, customers, attachments as expected"] = (
        not problems,
        "; ".join(problems[:3]) or "ok",
    )
    status = mailbox.status()
    unseen = [mid for mid, seen in status if not seen]
    result["mailbox all \\Seen"] = (
        not unseen and len(status) == sum(m.copies for m in mails),
        f"{len(status)} messages, {len(unseen)} unseen",
    )
    form = dict(
        database.rows(
            "SELECT id, intake_channel FROM helpdesk_ticket WHERE id = ANY(%s)",
            (accepted,),
        )
    )
    web_count = database.value(
        "SELECT count(*) FROM helpdesk_ticket WHERE team_id = %s"
        " AND intake_channel = 'website'",
        (team.id,),
    )
    result["each accepted post one ticket"] = (
        len(set(accepted)) == len(accepted) == len(form) == web_count
        and set(form.values()) <= {"website"},
        f"{len(accepted)} accepted, {web_count} website tickets",
    )
    return result


# ----------------------------------------------------------------------
# report
# ----------------------------------------------------------------------


def report_run(figures):
    cpu = figures["cpu"]
    wall = figures["seconds"]
    calls = figures["fetch_calls"]
    print(
        f"\n== {figures['layout']}, {figures['workers']} worker(s) fetching"
        f" (load average before {figures['load'][0]}, after {figures['load'][1]})"
    )
    print(
        f"  {figures['emails']} emails in {wall:.1f} s: "
        f"{figures['emails_per_s']:.2f} emails/s; {figures['posts']} form posts: "
        f"{figures['posts_per_s']:.2f} posts/s; {len(figures['refused'])} refused"
    )
    print(
        f"  fetch calls: {len(calls)} (median {statistics.median(calls or [0]):.1f} s,"
        f" {sum(1 for c in calls if c < SKIPPED_FETCH_SECONDS)} returned at once)"
    )
    print(
        "  CPU seconds: "
        + ", ".join(
            f"{group} {seconds:.1f} ({seconds / wall:.2f} cores)"
            for group, seconds in cpu.most_common()
        )
        + f"; machine busy {figures['machine_busy']:.2f} of {os.cpu_count()} cores"
    )
    total = sum(figures["activity"].values()) or 1
    print(
        f"  database sessions, {figures['samples']} samples: "
        + ", ".join(
            f"{what} {count / figures['samples']:.2f} ({100 * count / total:.0f} %)"
            for what, count in figures["activity"].most_common(6)
        )
    )
    print(
        "  lock waits (pg_locks, sampled): "
        + (
            ", ".join(f"{k} {v}" for k, v in figures["lock_waits"].most_common())
            or "none"
        )
    )
    print(
        f"  transactions: {figures['commits']} committed, {figures['rollbacks']}"
        " rolled back; Odoo log: "
        + (", ".join(f"{k} {v}" for k, v in sorted(figures["log"].items())) or "-")
    )
    for error in figures["errors"]:
        print(f"  error: {error!r}")
    for sample in figures["refused"][:3]:
        print(f"  refused: {sample}")
    for check, (ok, detail) in figures["checks"].items():
        print(f"  check {'ok  ' if ok else 'FAIL'} {check}: {detail}")


def report_table(runs):
    print(
        "\n| layout | workers | emails/s | form posts/s | total s | load before → after"
        " | Odoo CPU cores | PG CPU cores | sessions waiting on a lock | checks |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for figures in runs:
        groups.setdefault((figures["layout"], figures["workers"]), []).append(figures)
    for (layout, workers), same in groups.items():

        def median(key, same=same):
            return statistics.median(f[key] for f in same)

        waits = statistics.median(
            sum(c for w, c in f["activity"].items() if "Lock:" in w) / f["samples"]
            for f in same
        )
        odoo = statistics.median(f["cpu"]["odoo"] / f["seconds"] for f in same)
        pg = statistics.median(f["cpu"]["postgres"] / f["seconds"] for f in same)
        ok = all(ok for f in same for ok, _detail in f["checks"].values())
        loads = "; ".join(
            f"{f['load'][0].split()[0]} → {f['load'][1].split()[0]}" for f in same
        )
        print(
            f"| {layout} | {workers} | {median('emails_per_s'):.2f} |"
            f" {median('posts_per_s'):.2f} | {median('seconds'):.0f} | {loads} |"
            f" {odoo:.2f} | {pg:.2f} | {waits:.2f} | {'all ok' if ok else 'FAIL'} |"
        )
    return all(ok for f in runs for ok, _detail in f["checks"].values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database to copy (default: a new one)")
    parser.add_argument("--prefix", default=f"bench_concurrency_{uuid.uuid4().hex[:6]}")
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--layouts", default="one-server,n-servers")
    parser.add_argument("--visitors", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    args = parser.parse_args()
    if not harness.dovecot_available():
        sys.exit(f"Dovecot not found ({harness.DOVECOT}); set DOVECOT=/path")
    from odoo.tools import config

    config.parse_config([f"--addons-path={REPO}", "--log-level=warn"])
    print(machine_summary(), flush=True)
    template = args.database or f"{args.prefix}_template"
    if not args.database:
        print(f"creating database {template}...", flush=True)
        install(template, MODULES)
    workers = [int(n) for n in args.workers.split(",")]
    layouts = args.layouts.split(",")
    # one server or one per worker is the same with one worker
    combos = [
        (layout, n)
        for n in workers
        for layout in layouts
        if n > 1 or layout == layouts[0]
    ]
    root = tempfile.mkdtemp(prefix="bench-concurrency-")
    os.chmod(root, 0o755)
    dovecot = harness.Dovecot(os.path.join(root, "dovecot")).start()
    sink = harness.SmtpSink().start()
    runs = []
    try:
        for round_no in range(args.rounds):
            # each round in another order, so that no count always runs last
            order = combos if round_no % 2 == 0 else combos[::-1]
            for layout, count in order:
                print(
                    f"round {round_no + 1}: {layout}, {count} worker(s), "
                    f"{args.visitors} visitor(s), load average {load_average()}",
                    flush=True,
                )
                figures = run_once(
                    template, args.prefix, layout, count, args, dovecot, sink, root
                )
                report_run(figures)
                runs.append(figures)
                sys.stdout.flush()
        ok = report_table(runs)
    finally:
        sink.stop()
        dovecot.stop()
        if not args.database:
            drop_database(template)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
