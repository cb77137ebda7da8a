"""Benchmark: emails to tickets through the mail gateway, against emails to leads.

Feeds real RFC 822 messages to ``mail.thread.message_process`` the way Odoo's
incoming mail servers do (one cursor, a commit after each message), addressed
to a helpdesk team alias and, with the very same shapes and senders, to a
sales team alias (crm: one lead per email). Message shapes cycle through
plain text, HTML with a text alternative, HTML with an inline image, a PDF
attachment and a Latin-1 message with encoded headers; half of the senders
are known contacts, half write for the first time.

Three paths run side by side, in batches taken in turn (rotating which goes
first) after a warm-up of each:

- ``ticket``: a team as created by default, which acknowledges every ticket
  (the acknowledgement is queued, as in production);
- ``ticket-no-ack``: a team with the acknowledgement switched off, for the
  like-for-like comparison with crm, which sends none;
- ``lead``: the alias of a sales team of crm, in crm's default configuration
  (each email becomes a ``crm.lead`` of the pipeline).

Prints, for each path, the emails per second and time per email (median of
the rounds), the median time of single emails and the SQL queries per email,
then the ratio of time per email ticket / lead (target <= 1.00).

Then 30 more emails to the ticket path (``--breakdown N``) are timed step by
step (parsing, routing, ticket creation, acknowledgement, posting).

Without ``--database``, a throwaway database with helpdesk_intake and crm is
created, then dropped. With ``--database``, missing addons are installed and
the records the benchmark created are deleted at the end.

    python3 tests/benchmarks/bench_email_intake.py [--database DB]
        [--rounds R] [--batch N] [--warmup W] [--breakdown N]
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import threading
import time
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from _odoo_env import (
    close_registry,
    committed_env,
    drop_database,
    load_registry,
    machine_summary,
    prepare_database,
)

MODULES = ["helpdesk_intake", "crm"]
TARGET_RATIO = 1.00
ALIAS_DOMAIN = "intake-bench.example.com"
SENDER_DOMAINS = ("customer-a.example", "customer-b.example", "mail.example.net")
KNOWN_CUSTOMERS = 300
TEAM_PREFIX = "Mail Intake Benchmark"
# Alias of each path (its local part), on ALIAS_DOMAIN.
PATHS = {
    "ticket": "bench-helpdesk",
    "ticket-no-ack": "bench-helpdesk-noack",
    "lead": "bench-sales",
}
FIRST_NAMES = ("Ana", "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro")
LAST_NAMES = ("Müller", "O'Brien", "Silva", "Nakamura", "Dubois", "Kowalski", "Rossi")
SUBJECTS = (
    "Invoice {n} does not match the order",
    "Printer shows error E{n} after the update",
    "Cannot log in to the portal",
    "Delivery {n} arrived damaged",
    "Question about my subscription",
)
BODY = (
    "Hello,\n\nsince this morning {problem}. I tried to restart the machine and "
    "to clear the browser cache, nothing changed.\n\nCould you have a look? "
    "Order reference SO{n:05d}.\n\nBest regards,\n{name}\n-- \n{name}\n"
    "Purchasing department\nPhone +32 2 555 01 {n2:02d}\n"
)
PROBLEMS = (
    "the invoice shows a wrong amount",
    "the printer prints blank pages",
    "the portal answers with an error page",
    "the parcel tracking link is broken",
)
# A small but real PDF and PNG, so attachments take the path of real files.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n" + b"%" + os.urandom(24_000).hex().encode()
)


def _screenshot():
    """A 320x200 PNG with some structure, like a small screenshot."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(image)
    for row in range(0, 200, 20):
        draw.rectangle((10, row + 4, 310, row + 14), fill=(200, 60 + row // 2, 90))
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


PNG = _screenshot()


# ----------------------------------------------------------------------
# MESSAGES
# ----------------------------------------------------------------------


def sender(index, path):
    """Who writes email ``index``: a known contact for even indexes, else a
    first-time sender (unique to the path, so that every path meets the
    same mix of known and unknown addresses)."""
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[index % len(LAST_NAMES)]
    domain = SENDER_DOMAINS[index % len(SENDER_DOMAINS)]
    if index % 2 == 0:
        number = (index // 2) % KNOWN_CUSTOMERS
        return f"{first} {last}", f"known-{number}@{domain}"
    return f"{first} {last}", f"new-{path}-{index}-{uuid.uuid4().hex[:6]}@{domain}"


def build_message(index, path, to):
    """RFC 822 bytes of email ``index`` (its shape depends on the index
    only), sent to ``to``."""
    name, address = sender(index, path)
    subject = SUBJECTS[index % len(SUBJECTS)].format(n=1000 + index)
    text = BODY.format(
        problem=PROBLEMS[index % len(PROBLEMS)], n=index, n2=index % 100, name=name
    )
    shape = index % 5
    message = EmailMessage()
    message["Return-Path"] = f"<{address}>"
    message["Received"] = (
        f"from mx.{address.split('@')[1]} (mx.{address.split('@')[1]} "
        "[203.0.113.25]) by mx.intake-bench.example.com (Postfix) with ESMTPS; "
        f"{format_datetime(_now())}"
    )
    message["Message-ID"] = make_msgid(domain=address.split("@")[1])
    message["Date"] = format_datetime(_now())
    message["From"] = formataddr((name, address))
    message["To"] = to
    message["Subject"] = subject
    if shape == 0:
        message.set_content(text)
    elif shape == 1:
        message.set_content(text)
        message.add_alternative(_html(text), subtype="html")
    elif shape == 2:
        message.set_content(text)
        message.add_alternative(
            _html(text) + '<p><img src="cid:screenshot@bench"></p>', subtype="html"
        )
        message.get_payload()[1].add_related(
            PNG, "image", "png", cid="<screenshot@bench>", filename="screenshot.png"
        )
    elif shape == 3:
        message.set_content(text)
        message.add_alternative(_html(text), subtype="html")
        message.add_attachment(
            PDF, "application", "pdf", filename=f"invoice-{index}.pdf"
        )
    else:
        message.set_content(
            text + "\nMerci d'avance, à bientôt.\n", charset="iso-8859-1", cte="8bit"
        )
    return message.as_bytes()


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _html(text):
    paragraphs = "".join(
        f"<p>{line}</p>" for line in text.replace("&", "&amp;").splitlines() if line
    )
    return f'<div dir="ltr" style="font-family:Arial">{paragraphs}</div>'


# ----------------------------------------------------------------------
# SET-UP
# ----------------------------------------------------------------------


def set_up(database):
    """Alias domain, the two helpdesk teams, the sales team and the known
    contacts. Return the address of each path."""
    with committed_env(database) as env:
        company = env.company
        domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)])
        if not domain:
            domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        if not company.alias_domain_id:
            company.alias_domain_id = domain
        common = {"alias_domain_id": domain.id}
        env["helpdesk.team"].create(
            [
                {
                    "name": TEAM_PREFIX,
                    "alias_name": PATHS["ticket"],
                    **common,
                },
                {
                    "name": f"{TEAM_PREFIX} (no acknowledgement)",
                    "alias_name": PATHS["ticket-no-ack"],
                    "use_acknowledgement": False,
                    **common,
                },
            ]
        )
        env["crm.team"].create(
            {
                "name": TEAM_PREFIX,
                "alias_name": PATHS["lead"],
                **common,
            }
        )
        env["res.partner"].create(
            [
                {
                    "name": f"{FIRST_NAMES[i % 8]} {LAST_NAMES[i % 7]}",
                    "email": f"known-{i}@{domain_name}",
                }
                for i in range(KNOWN_CUSTOMERS)
                for domain_name in SENDER_DOMAINS
            ]
        )
        return {path: f"{alias}@{ALIAS_DOMAIN}" for path, alias in PATHS.items()}


def clean_up(database):
    from odoo.fields import Domain

    with committed_env(database) as env:
        teams = env["helpdesk.team"].with_context(active_test=False)
        teams = teams.search([("name", "=like", f"{TEAM_PREFIX}%")])
        tickets = env["helpdesk.ticket"].with_context(active_test=False)
        tickets.search([("team_id", "in", teams.ids)]).unlink()
        teams.unlink()
        sales = env["crm.team"].with_context(active_test=False)
        sales = sales.search([("name", "=", TEAM_PREFIX)])
        leads = env["crm.lead"].with_context(active_test=False)
        leads.search([("team_id", "in", sales.ids)]).unlink()
        sales.unlink()
        partners = env["res.partner"].with_context(active_test=False)
        partners.search(
            Domain.OR([("email", "=like", f"%@{domain}")] for domain in SENDER_DOMAINS)
        ).unlink()
        # the domain stays while the company or other aliases use it
        domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)])
        in_use = env["mail.alias"].search_count(
            [("alias_domain_id", "=", domain.id)], limit=1
        ) or env["res.company"].search_count(
            [("alias_domain_id", "=", domain.id)], limit=1
        )
        if domain and not in_use:
            domain.unlink()


# ----------------------------------------------------------------------
# MEASURE
# ----------------------------------------------------------------------


def process(registry, messages):
    """Process ``messages`` as an incoming mail server does: one cursor, a
    commit after each message. Return the seconds of each message and the
    SQL queries of the batch."""
    from odoo import api

    with registry.cursor() as cr:
        MailThread = api.Environment(cr, api.SUPERUSER_ID, {})["mail.thread"]
        queries = cr.sql_log_count
        seconds = []
        for message in messages:
            start = time.perf_counter()
            MailThread.message_process(False, message)
            cr.commit()
            seconds.append(time.perf_counter() - start)
        return seconds, cr.sql_log_count - queries


def run(registry, addresses, rounds, batch, warmup):
    """Per path, the (seconds, queries) of each measured batch."""
    # The warm-up fills the registry and ORM caches of every path.
    for path, to in addresses.items():
        process(registry, [build_message(i, path, to) for i in range(warmup)])
    index = warmup
    samples = {path: [] for path in addresses}
    order = list(addresses)
    for round_ in range(rounds):
        # Same indexes, hence the same shapes and kinds of senders, for every
        # path; the messages are built before the clock starts.
        batches = {
            path: [build_message(i, path, to) for i in range(index, index + batch)]
            for path, to in addresses.items()
        }
        for path in order[round_ % len(order) :] + order[: round_ % len(order)]:
            samples[path].append(process(registry, batches[path]))
        index += batch
    return samples


# Steps of an email to the ``ticket`` path that --breakdown times, indented
# under the step they belong to: (model, method, label).
BREAKDOWN = (
    ("mail.thread", "message_parse", "parsing the message"),
    ("mail.thread", "message_route", "routing it (aliases, helpdesk rules)"),
    ("mail.thread", "_detect_loop_sender", "checking the sender for a mail loop"),
    ("mail.thread", "_message_parse_post_process", "finding author and recipients"),
    ("mail.thread", "_message_route_process", "processing the route"),
    ("helpdesk.ticket", "message_new", "  message_new: customer and ticket"),
    ("helpdesk.ticket", "_request_acknowledgement", "    marking the acknowledgement"),
    ("helpdesk.ticket", "_accepts_automated_email", "      checking the address"),
    ("helpdesk.ticket", "_post_automated_email", "      rendering and posting it"),
    ("mail.template", "_render_field", "        rendering subject and body"),
    ("ir.cron", "_trigger", "        waking the mail queue up"),
)


def breakdown(registry, to, count, first_index):
    """Time the steps of ``count`` emails to the ticket path (wall clock and
    SQL queries, each step including the steps indented under it; what
    "processing the route" spends outside message_new is the posting of the
    email on the ticket; the rest of the time of an email is the duplicate
    and loop header checks, the savepoint and the commit)."""
    thread = threading.current_thread()
    totals = {label: [0.0, 0] for _model, _method, label in BREAKDOWN}

    def timed(method, label):
        def wrapper(self, *args, **kwargs):
            start, queries = time.perf_counter(), thread.query_count
            try:
                return method(self, *args, **kwargs)
            finally:
                totals[label][0] += time.perf_counter() - start
                totals[label][1] += thread.query_count - queries

        return wrapper

    # the registry was just loaded again: warm its caches up first
    process(registry, [build_message(i, "ticket", to) for i in range(-10, 0)])
    patched = []
    for model, name, label in BREAKDOWN:
        cls = registry[model]
        setattr(cls, name, timed(getattr(cls, name), label))
        patched.append((cls, name))
    thread.query_count = 0
    try:
        messages = [
            build_message(i, "ticket", to)
            for i in range(first_index, first_index + count)
        ]
        seconds, queries = process(registry, messages)
    finally:
        for cls, name in patched:
            delattr(cls, name)
    print(
        f"where the time of an email to the ticket path goes ({count} emails, "
        f"{sum(seconds) / count * 1000:.1f} ms and {queries / count:.1f} queries "
        "each):"
    )
    for label, (spent, queries) in totals.items():
        print(
            f"  {spent / count * 1000:6.1f} ms {queries / count:5.1f} queries  {label}"
        )


def count_records(database):
    with committed_env(database) as env:
        teams = env["helpdesk.team"].search([("name", "=like", f"{TEAM_PREFIX}%")])
        tickets = env["helpdesk.ticket"].search([("team_id", "in", teams.ids)])
        sales = env["crm.team"].search([("name", "=", TEAM_PREFIX)])
        leads = env["crm.lead"].search_count([("team_id", "in", sales.ids)])
        acks = env["mail.mail"].search_count(
            [("model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)]
        )
        return len(tickets), leads, acks


def report(samples, batch):
    """Print each path's figures; return the ratios to the lead path of the
    median time per email over the batches."""
    print(
        f"{'path':14} {'emails/s':>9} {'ms/email':>9} {'median email':>13}"
        f" {'queries/email':>14}"
    )
    per_email, median_email = {}, {}
    for path, batches in samples.items():
        per_email[path] = statistics.median(sum(times) / batch for times, _q in batches)
        median_email[path] = statistics.median(
            t for times, _q in batches for t in times
        )
        queries = statistics.median(q / batch for _t, q in batches)
        print(
            f"{path:14} {1 / per_email[path]:9.1f} {per_email[path] * 1000:9.1f}"
            f" {median_email[path] * 1000:11.1f}ms {queries:14.1f}"
        )
    ratios = {}
    for path in ("ticket", "ticket-no-ack"):
        ratios[path] = per_email[path] / per_email["lead"]
        verdict = "within" if ratios[path] <= TARGET_RATIO else "ABOVE"
        print(
            f"ratio {path} / lead, time per email: {ratios[path]:.2f} "
            f"(median emails: {median_email[path] / median_email['lead']:.2f}; "
            f"{verdict} the {TARGET_RATIO:.2f} target)"
        )
    return ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="existing database (default: throwaway)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=10, help="emails per batch")
    parser.add_argument("--warmup", type=int, default=20, help="emails per path")
    parser.add_argument(
        "--breakdown",
        type=int,
        default=30,
        metavar="N",
        help="then time the steps of N more emails to the ticket path (0: no)",
    )
    args = parser.parse_args()

    print(machine_summary(), flush=True)
    database = prepare_database(args.database, "bench_email_intake", MODULES)
    try:
        addresses = set_up(database)
        samples = run(
            load_registry(database), addresses, args.rounds, args.batch, args.warmup
        )
        close_registry(database)
        tickets, leads, acks = count_records(database)
        total = args.warmup + args.rounds * args.batch
        print(
            f"{args.rounds} rounds of {args.batch} emails per path after "
            f"{args.warmup} warm-up emails; records created: {tickets} tickets "
            f"(expected {2 * total}), {leads} leads (expected {total}), "
            f"{acks} queued acknowledgements"
        )
        ratios = report(samples, args.batch)
        if args.breakdown:
            registry = load_registry(database)
            breakdown(registry, addresses["ticket"], args.breakdown, total)
    finally:
        close_registry(database)
        if args.database:
            clean_up(database)
        else:
            drop_database(database)
    return 0 if ratios["ticket"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
