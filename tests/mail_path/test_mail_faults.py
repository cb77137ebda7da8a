"""The email channel under faults: a crash in the middle of a fetch, the
database going away, a mail loop with an auto-responder, messages the
gateway cannot parse, and two Odoo processes on the same mailbox.

The Odoo server of this module reaches PostgreSQL through a TCP proxy that
the tests cut and restore; the assertions read the database directly.
"""

import base64
import contextlib
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest

from odoo.tools import email_normalize

from . import checks, harness
from .corpus import REPLY, TICKET, Corpus, text_part, vacation_reply
from .helpdesk import DOMAIN, EMPLOYEE


@pytest.fixture(scope="module")
def pg_proxy(database):
    proxy = harness.TcpProxy(database).restore()
    yield proxy
    proxy.cut()


@pytest.fixture(scope="module")
def odoo_server(database, workdir, pg_proxy):
    server = harness.OdooServer(database, workdir, db_port=pg_proxy.port).start()
    yield server
    server.stop()


@pytest.fixture
def team_mailbox(helpdesk, dovecot):
    """A team whose alias is read from its own Dovecot mailbox; the incoming
    mail server is archived afterwards so that later fetches skip it."""
    created = []

    def make(name):
        team = helpdesk.add_team(name.title(), name)
        mailbox = dovecot.mailbox(name)
        created.append(helpdesk.add_fetchmail(mailbox, f"{name} mailbox"))
        return team, mailbox, Corpus(team.alias, helpdesk.bounce, DOMAIN, EMPLOYEE)

    yield make
    helpdesk.server.ensure_running()
    for server_id in created:
        helpdesk.archive_fetchmail(server_id)


class Background(threading.Thread):
    """Runs ``target`` and keeps its exception, if any."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self._target_fn = target
        self.error = None

    def run(self):
        try:
            self._target_fn()
        except Exception as error:  # noqa: BLE001 - kept for the assertions
            self.error = error


def processed(database, mails):
    """Message-IDs among ``mails`` that reached the database."""
    rows = database.rows(
        "SELECT DISTINCT message_id FROM mail_message WHERE message_id = ANY(%s)",
        ([m.message_id for m in mails],),
    )
    return {message_id for (message_id,) in rows}


def new_requests(corpus, first, count):
    builders = [corpus.plain, corpus.html_only, corpus.with_attachments]
    return [builders[n % len(builders)](n) for n in range(first, first + count)]


def replies_to(corpus, tickets, first, count):
    """Follow-ups of the customers of ``tickets``, threaded by headers."""
    return [
        corpus.reply(
            n,
            ticket,
            "reply/threaded",
            f"Re: {ticket.title}",
            in_reply_to=ticket.message_id,
            references=ticket.message_id,
        )
        for n, ticket in zip(range(first, first + count), itertools.cycle(tickets))
    ]


def lost(mailbox, database, mails):
    """Messages marked as read in the mailbox that never reached Odoo."""
    done = processed(database, mails)
    ours = {m.message_id for m in mails}
    return sorted(mid for mid, seen in mailbox.status() if seen and mid in ours - done)


def assert_exactly_once(database, corpus, team, helpdesk, only_acks=True):
    """Each email of ``corpus`` is one ticket or one thread entry, and each
    customer heard once from the helpdesk: the acknowledgement (nothing
    else, unless ``only_acks`` is False)."""
    problems = checks.compare(database, corpus.mails, team.id)
    assert problems == [], "\n".join(problems)
    helpdesk.run_scheduled_jobs()
    refs = database.rows(
        "SELECT ref FROM helpdesk_ticket WHERE team_id = %s", (team.id,)
    )
    acks = checks.acknowledgements(helpdesk.sink.snapshot())
    assert {ref: len(acks.get(ref, [])) for (ref,) in refs} == {
        ref: 1 for (ref,) in refs
    }
    if not only_acks:
        return
    customers = {m.customer for m in corpus.mails if m.customer}
    sent = [
        (mail.rcpt_tos, str(mail.message["Subject"]))
        for mail in helpdesk.sink.snapshot()
        if customers & set(mail.rcpt_tos) and mail not in sum(acks.values(), [])
    ]
    assert sent == [], "customers received something else than their acknowledgement"


def test_crash_during_fetch(helpdesk, team_mailbox, database):
    """kill -9 of the Odoo process while it fetches 100 messages: after a
    restart, each becomes exactly one ticket or one thread entry."""
    team, mailbox, corpus = team_mailbox("crash")
    opening = new_requests(corpus, 1001, 10)
    mailbox.deliver_all(m.raw for m in opening)
    helpdesk.fetch(mailbox)
    batch = new_requests(corpus, 1011, 80) + replies_to(corpus, opening, 1091, 20)
    mailbox.deliver_all(m.raw for m in batch)

    fetch = Background(lambda: helpdesk.fetch(mailbox))
    fetch.start()
    harness.wait_until(
        lambda: len(processed(database, batch)) >= 30, 120, 0.05, "30 processed"
    )
    helpdesk.server.kill()
    fetch.join(60)
    done_at_crash = processed(database, batch)
    assert 30 <= len(done_at_crash) < len(batch), "the crash did not hit the fetch"
    assert fetch.error is not None
    assert lost(mailbox, database, batch) == []

    helpdesk.server.start()
    helpdesk.fetch(mailbox)
    assert_exactly_once(database, corpus, team, helpdesk)


def test_database_outage_during_fetch(helpdesk, team_mailbox, database, pg_proxy):
    """PostgreSQL goes away in the middle of a fetch (every connection cut,
    new ones refused) and comes back: no message is marked as read without
    having reached Odoo, and the next fetches process them all, once."""
    team, mailbox, corpus = team_mailbox("outage")
    batch = new_requests(corpus, 2001, 60)
    mailbox.deliver_all(m.raw for m in batch)

    fetch = Background(lambda: helpdesk.fetch(mailbox))
    fetch.start()
    harness.wait_until(
        lambda: len(processed(database, batch)) >= 15, 120, 0.05, "15 processed"
    )
    pg_proxy.cut()
    try:
        fetch.join(60)
        assert fetch.error is not None
        with pytest.raises(harness.RpcError):
            helpdesk.server.run_cron("mail.ir_cron_mail_gateway_action")
        assert 15 <= len(processed(database, batch)) < len(batch)
        # a message may also have been committed just before the cut and
        # not marked yet: it is fetched again and recognised by its Message-ID
        assert lost(mailbox, database, batch) == []
    finally:
        pg_proxy.restore()
    # the connections of the pool died with the outage: the first job run
    # may fail on one of them, the scheduler runs it again later
    for _attempt in range(3):
        try:
            helpdesk.fetch(mailbox)
            break
        except harness.RpcError:
            time.sleep(1)
    assert_exactly_once(database, corpus, team, helpdesk)


def test_transient_database_error_leaves_the_message_for_the_next_fetch(
    helpdesk, team_mailbox, database
):
    team, mailbox, corpus = team_mailbox("busy")
    (mail,) = new_requests(corpus, 3001, 1)
    mailbox.deliver(mail.raw)
    with contextlib.closing(
        psycopg2.connect(dbname=database.name, **harness.pg_params())
    ) as lock:
        # e.g. a migration or a VACUUM FULL holding the table
        lock.cursor().execute("LOCK TABLE helpdesk_ticket IN ACCESS EXCLUSIVE MODE")
        fetch = Background(
            lambda: helpdesk.server.run_cron("mail.ir_cron_mail_gateway_action")
        )
        fetch.start()
        waiting = harness.wait_until(
            lambda: database.rows(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = %s AND wait_event_type = 'Lock'",
                (database.name,),
            ),
            60,
            message="the gateway waiting for the table",
        )
        database.rows("SELECT pg_cancel_backend(%s)", waiting[0])
        lock.rollback()
    fetch.join(60)
    assert lost(mailbox, database, [mail]) == []
    helpdesk.fetch(mailbox)
    assert processed(database, [mail]) == {mail.message_id}


LOOP_THRESHOLD = 20  # Odoo's mail.gateway.loop.threshold default, per 120 minutes
# helpdesk_intake.bounce_limit default: loop notices to one sender per window
BOUNCE_LIMIT = 3


def test_vacation_responder_loop(helpdesk, team_mailbox, database):
    """A customer's out-of-office responder answers the acknowledgement 100
    times, then answers whatever else it receives: no further
    acknowledgement goes out, Odoo's loop guard caps what gets in, and what
    got in stays visible to agents."""
    team, mailbox, corpus = team_mailbox("loop")
    responder = "val.cation@example.org"
    first = corpus.new(
        text_part("My laptop does not start.\n"),
        4000,
        "loop/request",
        "Laptop does not start",
        ["laptop"],
        name="Val Cation",
        sender=responder,
    )
    mailbox.deliver(first.raw)
    helpdesk.fetch(mailbox)
    helpdesk.run_scheduled_jobs()
    (ack,) = helpdesk.sink.sent_to(responder)

    # 40 threaded by headers, 30 by the reference in the subject, 30 fresh
    kinds = ["threaded"] * 40 + ["subject"] * 30 + ["fresh"] * 30
    replies = [
        vacation_reply(corpus, 4001 + i, responder, ack, how)
        for i, how in enumerate(kinds)
    ]
    answered = {ack.message["Message-ID"]}
    for wave in range(3):
        mailbox.deliver_all(m.raw for m in replies)
        helpdesk.fetch(mailbox)
        helpdesk.run_scheduled_jobs()
        received = [
            m
            for m in helpdesk.sink.sent_to(responder)
            if m.message["Message-ID"] not in answered
        ]
        answered.update(m.message["Message-ID"] for m in received)
        # it answers everything it gets, the loop guard's notices included
        replies = [
            vacation_reply(corpus, 4200 + 100 * wave + i, responder, mail, "threaded")
            for i, mail in enumerate(received)
        ]
        if not replies:
            break
    assert replies == [], "the responder still receives mail"

    sent = helpdesk.sink.sent_to(responder)
    assert len(checks.acknowledgements(sent)) == 1
    notices = [m for m in sent if m is not ack]
    # the messages refused by the loop guard are dropped; the sender hears of
    # it at most BOUNCE_LIMIT times in the window (sender addresses are
    # forgeable), and the responder's answers to those notices are dropped
    # without a word
    rows = database.rows(
        """
        SELECT t.id, count(m.id)
          FROM helpdesk_ticket t
          JOIN res_partner p ON p.id = t.partner_id
          LEFT JOIN mail_message m ON m.model = 'helpdesk.ticket' AND m.res_id = t.id
               AND m.message_type = 'email' AND m.author_id = p.id
         WHERE t.team_id = %s AND p.email_normalized = %s
         GROUP BY t.id ORDER BY t.id
        """,
        (team.id, email_normalize(responder)),
    )
    tickets = dict(rows)
    assert len(tickets) == LOOP_THRESHOLD
    first_ticket = min(tickets)
    assert tickets.pop(first_ticket) == LOOP_THRESHOLD  # the request and 19 replies
    assert set(tickets.values()) == {1}  # 19 tickets from "fresh" replies
    visible = LOOP_THRESHOLD + len(tickets)
    refused = 1 + 100 - visible  # request and 100 replies, minus visible
    assert len(notices) == min(BOUNCE_LIMIT, refused)


def malformed_report(corpus, n, rcpt):
    """A delivery report whose returned headers declare a charset Python
    does not know: parsing it raises LookupError in
    ``mail.thread._message_parse_extract_bounce``."""
    return corpus.dsn(
        n,
        recipient=f"gone{n}@example.com",
        rcpt=rcpt,
        charset="x-unknown-charset",
        original_headers=f"Message-ID: <lost.{n}@example.com>\nSubject: Quote\n",
    )


def test_poison_message_is_kept_and_not_retried(helpdesk, team_mailbox, database):
    team, mailbox, corpus = team_mailbox("poison")
    good = new_requests(corpus, 5001, 3)
    poison, poison_id = malformed_report(corpus, 5010, team.alias)
    # the transfer agent delivers it twice, as after a timeout
    mailbox.deliver_all([good[0].raw, poison, good[1].raw, poison, good[2].raw])
    helpdesk.fetch(mailbox)

    assert checks.compare(database, good, team.id, others=[poison_id]) == []
    assert mailbox.unseen_count() == 0
    (kept,) = checks.tickets(database, team.id)[poison_id]
    assert kept["unprocessable"] and kept["active"] and kept["team_id"] == team.id
    attachment_id = database.value(
        "SELECT original_email_id FROM helpdesk_ticket WHERE id = %s", (kept["id"],)
    )
    (original,) = helpdesk.execute(
        "ir.attachment", "read", [attachment_id], ["datas", "mimetype"]
    )
    assert original["mimetype"] == "message/rfc822"
    assert _lines(base64.b64decode(original["datas"])) == _lines(poison)

    # fetched again: nothing left to do, nothing new
    helpdesk.server.run_cron("mail.ir_cron_mail_gateway_action")
    assert len(checks.tickets(database, team.id)) == 4

    # reprocessing fails the same way and keeps it
    with pytest.raises(harness.RpcError, match="still cannot be processed"):
        helpdesk.execute("helpdesk.ticket", "action_reprocess_email", [kept["id"]])
    (again,) = checks.tickets(database, team.id)[poison_id]
    assert again["unprocessable"] and again["active"]


def _lines(raw):
    # Dovecot serves messages with CRLF line ends
    return raw.replace(b"\r\n", b"\n").rstrip(b"\n")


def quarantined_by_configuration(helpdesk, team_mailbox, database, name):
    """An email the gateway fails on because of the team's configuration
    (its alias sets a field that does not exist): kept as unprocessable."""
    team, mailbox, corpus = team_mailbox(name)
    alias_id = helpdesk.alias_id(team)
    (alias,) = helpdesk.execute("mail.alias", "read", [alias_id], ["alias_defaults"])
    broken = alias["alias_defaults"].rstrip("}") + ", 'x_no_such_field': 1}"
    helpdesk.execute("mail.alias", "write", [alias_id], {"alias_defaults": broken})
    (mail,) = new_requests(corpus, 5101 + len(name), 1)
    mailbox.deliver(mail.raw)
    helpdesk.fetch(mailbox)
    (kept,) = checks.tickets(database, team.id)[mail.message_id]
    assert kept["unprocessable"]

    def fix():
        helpdesk.execute(
            "mail.alias",
            "write",
            [alias_id],
            {"alias_defaults": alias["alias_defaults"]},
        )

    return team, mail, kept, fix


def test_quarantined_email_reprocessed_once_fixed(helpdesk, team_mailbox, database):
    team, mail, kept, fix = quarantined_by_configuration(
        helpdesk, team_mailbox, database, "fixable"
    )
    fix()
    helpdesk.execute("helpdesk.ticket", "action_reprocess_email", [kept["id"]])
    # the placeholder gives its Message-ID up to the real ticket
    assert checks.compare(database, [mail], team.id, others=[None]) == []
    (placeholder,) = checks.tickets(database, team.id)[None]
    assert placeholder["id"] == kept["id"] and not placeholder["active"]


def test_quarantined_email_not_bounced_to_the_customer(
    helpdesk, team_mailbox, database
):
    _team, mail, _kept, fix = quarantined_by_configuration(
        helpdesk, team_mailbox, database, "nobounce"
    )
    fix()
    assert helpdesk.sink.sent_to(mail.customer) == []


def test_poison_report_to_the_bounce_address_is_kept(helpdesk, team_mailbox, database):
    team, mailbox, corpus = team_mailbox("poisonbounce")
    poison, poison_id = malformed_report(corpus, 5201, helpdesk.bounce)
    mailbox.deliver(poison)
    helpdesk.fetch(mailbox)
    assert (
        database.value(
            "SELECT count(*) FROM helpdesk_ticket WHERE email_message_id = %s",
            (poison_id,),
        )
        == 1
    )


@pytest.fixture(scope="module")
def other_process(database, workdir):
    """A second Odoo server on the same database, with two workers."""
    server = harness.OdooServer(
        database, workdir, name="odoo-workers", workers=2
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_mailbox(helpdesk, dovecot, database, other_process):
    """Two Odoo processes read the same mailbox at the same time, through
    two incoming mail servers on one account, each pressing "Fetch Now"
    until nothing is left."""
    team = helpdesk.add_team("Shared", "shared")
    mailbox = dovecot.mailbox("shared")
    corpus = Corpus(team.alias, helpdesk.bounce, DOMAIN, EMPLOYEE)
    first_id = helpdesk.add_fetchmail(mailbox, "shared mailbox")
    opening = new_requests(corpus, 6001, 10)
    mailbox.deliver_all(m.raw for m in opening)
    helpdesk.fetch(mailbox)
    second_id = helpdesk.add_fetchmail(mailbox, "shared mailbox, again")
    batch = new_requests(corpus, 6011, 60) + replies_to(corpus, opening, 6071, 20)
    mailbox.deliver_all(m.raw for m in batch)

    def drain(server, server_id):
        while mailbox.unseen_count():
            server.execute("fetchmail.server", "fetch_mail", [server_id])

    fetchers = [
        Background(lambda: drain(helpdesk.server, first_id)),
        Background(lambda: drain(other_process, second_id)),
    ]
    for fetcher in fetchers:
        fetcher.start()
    for fetcher in fetchers:
        fetcher.join(300)
    for server_id in (first_id, second_id):
        helpdesk.archive_fetchmail(server_id)
    assert [f.error for f in fetchers] == [None, None]
    return team, mailbox, corpus, batch


def test_two_processes_on_one_mailbox_one_ticket_per_email(shared_mailbox, database):
    team, _mailbox, corpus, batch = shared_mailbox
    found = checks.tickets(database, team.id)
    new = [m for m in batch if m.outcome == TICKET]
    assert {
        m.message_id: len(found.get(m.message_id, []))
        for m in new
        if m.message_id in found
    } == {m.message_id: 1 for m in new if m.message_id in found}
    assert set(found) <= {m.message_id for m in corpus.mails}


def test_two_processes_on_one_mailbox_one_thread_entry_per_reply(
    shared_mailbox, database
):
    _team, _mailbox, _corpus, batch = shared_mailbox
    posted = checks.email_messages(database)
    replies = [m for m in batch if m.outcome == REPLY]
    assert {m.message_id: len(posted.get(m.message_id, [])) for m in replies} == {
        m.message_id: 1 for m in replies
    }


def test_two_processes_on_one_mailbox_lose_nothing(shared_mailbox, database):
    _team, mailbox, _corpus, batch = shared_mailbox
    assert lost(mailbox, database, batch) == []


@pytest.fixture(scope="module")
def piped_twice(helpdesk, other_process):
    """An email to two addresses of the helpdesk reaches odoo-mailgate twice
    at the same moment, served by two workers."""
    team = helpdesk.add_team("Twice", "twice")
    corpus = Corpus(team.alias, helpdesk.bounce, DOMAIN, EMPLOYEE)
    mails = new_requests(corpus, 7001, 10)
    with ThreadPoolExecutor(2) as pool:
        results = [
            list(
                pool.map(
                    lambda raw: harness.mailgate(other_process, raw), [mail.raw] * 2
                )
            )
            for mail in mails
        ]
    assert results == [[(0, ""), (0, "")]] * len(mails)
    helpdesk.run_scheduled_jobs()
    return team, corpus


def test_same_email_piped_twice_at_once_one_ticket(piped_twice, database, helpdesk):
    team, corpus = piped_twice
    assert_exactly_once(database, corpus, team, helpdesk, only_acks=False)


def test_same_email_piped_twice_not_bounced(piped_twice, database, helpdesk):
    team, corpus = piped_twice
    assert_exactly_once(database, corpus, team, helpdesk)
    assert helpdesk.alias_status(team) == "valid"
