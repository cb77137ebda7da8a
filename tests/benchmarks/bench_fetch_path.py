"""Benchmark: the fetch path (Dovecot → incoming mail server → tickets)
against ``message_process`` directly, on the same emails, in the same run.

Two helpdesk teams configured alike, one fed by an incoming mail server
(IMAP) reading a Dovecot mailbox, the other by ``mail.thread.message_process``
called directly with one cursor and a commit after each email (what the
fetch does around each email, minus the mail server). Both receive the same
shapes of email from the same kinds of senders (the messages of
``bench_email_intake.py``: plain text, HTML, inline image, PDF attachment,
Latin-1), each with its own Message-ID.

Each round delivers a batch into the maildir (the transfer agent's work, not
timed), then times, in turn (rotating which goes first): one run of the
incoming mail server's fetch until the batch is consumed, and the same
number of emails through ``message_process``. The fetch time includes the
IMAP connection, the search of unread emails, reading each with
``BODY.PEEK[]``, the receipt of each email, the commit and the ``\\Seen``
flag after it.

Prints the emails per second of each path, the ratio of time per email
fetch / direct (target <= 1.2) and checks that every email became one
ticket.

Needs Dovecot (Debian package ``dovecot-imapd``; DOVECOT=/path overrides).
Without ``--database``, a throwaway database is created, then dropped.

    python3 tests/benchmarks/bench_fetch_path.py [--database DB]
        [--rounds R] [--batch N] [--warmup W]
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time

from _odoo_env import (
    REPO,
    close_registry,
    committed_env,
    drop_database,
    load_registry,
    machine_summary,
    prepare_database,
)
from bench_email_intake import build_message

sys.path.insert(0, os.path.join(REPO, "tests"))
from mail_path import harness  # noqa: E402 - the tests' Dovecot

MODULES = ["helpdesk_intake"]
TARGET_RATIO = 1.2
ALIAS_DOMAIN = "fetch-bench.example.com"
TEAM_PREFIX = "Fetch Path Benchmark"
PATHS = {"fetch": "bench-fetch", "direct": "bench-direct"}


def set_up(database, mailbox):
    """The two teams and the incoming mail server; return the address of
    each path and the server's id."""
    with committed_env(database) as env:
        domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)])
        if not domain:
            domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        if not env.company.alias_domain_id:
            env.company.alias_domain_id = domain
        env["helpdesk.team"].create(
            [
                {
                    "name": f"{TEAM_PREFIX} {path}",
                    "alias_name": alias,
                    "alias_domain_id": domain.id,
                }
                for path, alias in PATHS.items()
            ]
        )
        server = env["fetchmail.server"].create(
            {
                "name": TEAM_PREFIX,
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": mailbox.dovecot.port,
                "is_ssl": False,
                "user": mailbox.user,
                "password": mailbox.password,
                "object_id": env["ir.model"]._get_id("helpdesk.ticket"),
                "attach": True,
            }
        )
        server.button_confirm_login()
        addresses = {path: f"{alias}@{ALIAS_DOMAIN}" for path, alias in PATHS.items()}
        return addresses, server.id


def fetch(registry, server_id, mailbox, count):
    """Run the incoming mail server until ``count`` emails are consumed;
    return the seconds it took."""
    from odoo import api

    start = time.perf_counter()
    with registry.cursor() as cr:
        server = api.Environment(cr, api.SUPERUSER_ID, {})["fetchmail.server"]
        server = server.browse(server_id)
        for _run in range(5):
            error = server._fetch_mail(batch_limit=count)
            if error is not None:
                raise error
            if not mailbox.unseen_count():
                break
        else:
            raise RuntimeError(f"{mailbox.unseen_count()} emails left unread")
    return time.perf_counter() - start


def direct(registry, messages):
    """``message_process`` on each message with a commit after each, as the
    fetch does; return the seconds it took."""
    from odoo import api

    start = time.perf_counter()
    with registry.cursor() as cr:
        MailThread = api.Environment(cr, api.SUPERUSER_ID, {})["mail.thread"]
        for message in messages:
            MailThread.message_process("helpdesk.ticket", message)
            cr.commit()
    return time.perf_counter() - start


def run(registry, addresses, server_id, mailbox, rounds, batch, warmup):
    """Seconds of each batch, per path."""

    def messages(path, first, count):
        return [
            build_message(i, path, addresses[path]) for i in range(first, first + count)
        ]

    def fetch_batch(first, count):
        mailbox.deliver_all(messages("fetch", first, count))
        return fetch(registry, server_id, mailbox, count)

    def direct_batch(first, count):
        return direct(registry, messages("direct", first, count))

    fetch_batch(0, warmup)
    direct_batch(0, warmup)
    samples = {"fetch": [], "direct": []}
    index = warmup
    for round_no in range(rounds):
        order = ["fetch", "direct"] if round_no % 2 == 0 else ["direct", "fetch"]
        for path in order:
            measure = fetch_batch if path == "fetch" else direct_batch
            samples[path].append(measure(index, batch))
        index += batch
    return samples


def count_tickets(database):
    with committed_env(database) as env:
        Ticket = env["helpdesk.ticket"].with_context(active_test=False)
        return {
            path: Ticket.search_count([("team_id.name", "=", f"{TEAM_PREFIX} {path}")])
            for path in PATHS
        }


def clean_up(database):
    with committed_env(database) as env:
        teams = env["helpdesk.team"].with_context(active_test=False)
        teams = teams.search([("name", "=like", f"{TEAM_PREFIX}%")])
        tickets = env["helpdesk.ticket"].with_context(active_test=False)
        tickets.search([("team_id", "in", teams.ids)]).unlink()
        teams.unlink()
        env["fetchmail.server"].search([("name", "=", TEAM_PREFIX)]).unlink()


def report(samples, batch):
    per_email = {
        path: statistics.median(seconds) / batch for path, seconds in samples.items()
    }
    for path, seconds in samples.items():
        total = sum(seconds)
        print(
            f"  {path:7} {len(seconds) * batch / total:6.1f} emails/s, "
            f"{1000 * per_email[path]:6.1f} ms/email (median of batches)"
        )
    ratio = per_email["fetch"] / per_email["direct"]
    verdict = "within" if ratio <= TARGET_RATIO else "above"
    print(
        f"ratio fetch / direct, time per email: {ratio:.2f} "
        f"({verdict} the {TARGET_RATIO} target)"
    )
    return ratio


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="existing database (default: throwaway)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20, help="emails per batch")
    parser.add_argument("--warmup", type=int, default=10, help="emails per path")
    args = parser.parse_args()
    if not harness.dovecot_available():
        sys.exit(f"Dovecot not found ({harness.DOVECOT}); set DOVECOT=/path")

    print(machine_summary(), flush=True)
    database = prepare_database(args.database, "bench_fetch_path", MODULES)
    root = tempfile.mkdtemp(prefix="bench-fetch-")
    os.chmod(root, 0o755)
    dovecot = harness.Dovecot(os.path.join(root, "dovecot")).start()
    try:
        mailbox = dovecot.mailbox("bench")
        addresses, server_id = set_up(database, mailbox)
        samples = run(
            load_registry(database),
            addresses,
            server_id,
            mailbox,
            args.rounds,
            args.batch,
            args.warmup,
        )
        close_registry(database)
        expected = args.warmup + args.rounds * args.batch
        tickets = count_tickets(database)
        print(
            f"{args.rounds} rounds of {args.batch} emails per path after "
            f"{args.warmup} warm-up emails; tickets: {tickets} (expected "
            f"{expected} each); unread left in the mailbox: {mailbox.unseen_count()}"
        )
        report(samples, args.batch)
    finally:
        dovecot.stop()
        close_registry(database)
        if args.database:
            with contextlib.suppress(Exception):
                clean_up(database)
        else:
            drop_database(database)


if __name__ == "__main__":
    main()
