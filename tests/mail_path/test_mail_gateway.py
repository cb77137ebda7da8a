"""The email channel end to end, with real servers.

200 emails of every shape customers send are delivered into a Dovecot
maildir; Odoo's incoming mail server fetches them over IMAP into a team's
alias, and its outgoing mail server hands the acknowledgements to an SMTP
sink. The customers then answer those acknowledgements (a second wave built
from what the sink received). The same emails piped to the helpdesk's mail
gateway script, as Postfix does, must give the same tickets.
"""

import copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from odoo.tools import email_normalize

from . import checks, harness
from .conftest import KEEP, clone_name
from .corpus import TICKET, Corpus, first_wave, raw_8bit_non_utf8, second_wave
from .helpdesk import DOMAIN, EMPLOYEE, Helpdesk

TOTAL_DELIVERIES = 200
# sysexits.h, the exit statuses of the mail gateway script
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_NOPERM = 77


@dataclass
class Run:
    team: object
    database: object
    sink: object
    corpus: object
    acks: dict
    # the first wave, and where the second one starts
    first: list
    count: int
    last: int
    mailbox: object = None
    refused: dict = field(default_factory=dict)


def new_corpus(helpdesk, team):
    return Corpus(team.alias, helpdesk.bounce, DOMAIN, EMPLOYEE)


def replay(corpus, first, count, last, acks):
    """The second wave answering ``acks``, built exactly as in the first
    run so that both runs receive the same emails."""
    corpus.mails = [copy.copy(mail) for mail in first]
    corpus._count = count
    second_wave(corpus, last, acks)
    return corpus.mails[len(first) :]


@pytest.fixture(scope="module")
def fetched(helpdesk, dovecot, database, smtp_sink):
    team = helpdesk.add_team("Support", "support")
    mailbox = dovecot.mailbox("support")
    helpdesk.add_fetchmail(mailbox, "Support mailbox")

    corpus = new_corpus(helpdesk, team)
    last = first_wave(corpus)
    first, count = list(corpus.mails), corpus._count
    mailbox.deliver_all(corpus.deliveries())
    helpdesk.fetch(mailbox)
    helpdesk.run_scheduled_jobs()

    acks = checks.acks_by_opening_email(database, smtp_sink.snapshot(), team.id)
    second = replay(corpus, first, count, last, acks)
    mailbox.deliver_all(mail.raw for mail in second)
    helpdesk.fetch(mailbox)
    helpdesk.run_scheduled_jobs()
    return Run(team, database, smtp_sink, corpus, acks, first, count, last, mailbox)


@pytest.fixture(scope="module")
def piped(fetched, shared_database, request, workdir):
    """The same emails piped to the mail gateway script, a few at a time as a mail
    transfer agent runs its pipe deliveries, into a copy of the database of
    its own served by two workers."""
    database = harness.Database.clone(
        shared_database, clone_name(shared_database, request, "_gate")
    )
    sink = harness.SmtpSink().start()
    server = harness.OdooServer(
        database, workdir, name="odoo-mailgate", workers=2
    ).start()
    try:
        helpdesk = Helpdesk(server, sink).configure()
        team = helpdesk.add_team("Support", "support")
        statuses = {}

        def pipe(mails):
            deliveries = [mail for mail in mails for _copy in range(mail.copies)]
            with ThreadPoolExecutor(3) as pool:
                results = pool.map(
                    lambda mail: harness.mailgate(server, mail.raw), deliveries
                )
                for mail, result in zip(deliveries, results, strict=True):
                    statuses.setdefault(mail.message_id, []).append(result)

        pipe(fetched.first)
        helpdesk.run_scheduled_jobs()
        acks = checks.acks_by_opening_email(database, sink.snapshot(), team.id)
        corpus = new_corpus(helpdesk, team)
        second = replay(corpus, fetched.first, fetched.count, fetched.last, acks)
        pipe(second)
        helpdesk.run_scheduled_jobs()
        refused = {
            message_id: [(code, err) for code, err in results if code]
            for message_id, results in statuses.items()
            if any(code for code, _err in results)
        }
        yield Run(
            team,
            database,
            sink,
            corpus,
            acks,
            fetched.first,
            fetched.count,
            fetched.last,
            refused=refused,
        )
    finally:
        server.stop()
        sink.stop()
        if not KEEP:
            database.drop()


def test_mailbox_fully_consumed(fetched):
    assert len(fetched.corpus.deliveries()) == TOTAL_DELIVERIES
    status = fetched.mailbox.status()
    assert len(status) == TOTAL_DELIVERIES
    assert [message_id for message_id, seen in status if not seen] == []


def test_tickets_threads_attachments_and_customers(fetched):
    """Each email is where it belongs, once: a ticket per new request with
    the right title, customer and attachments; replies in their ticket's
    thread, threaded by headers or by the reference in the subject; bounces
    and second copies nowhere."""
    problems = checks.compare(fetched.database, fetched.corpus.mails, fetched.team.id)
    assert problems == [], "\n".join(problems)
    new_tickets = [m for m in fetched.corpus.mails if m.outcome == TICKET]
    assert len(new_tickets) == 146
    assert sum(len(t) for t in checks.tickets(fetched.database).values()) == 146


def test_thread_sizes(fetched):
    messages = checks.email_messages(fetched.database)
    ticket_of = {
        key: rows[0]["id"] for key, rows in checks.tickets(fetched.database).items()
    }
    found = {}
    for posted in messages.values():
        for message in posted:
            found[message["res_id"]] = found.get(message["res_id"], 0) + 1
    expected = {
        ticket_of[key]: size
        for key, size in checks.thread_sizes(fetched.corpus.mails).items()
    }
    assert found == expected
    assert sum(expected.values()) == TOTAL_DELIVERIES - 3 - 8  # second copies, bounces


def test_one_customer_per_address(fetched):
    addresses = sorted(
        {m.customer for m in fetched.corpus.mails if m.outcome == TICKET}
    )
    rows = fetched.database.rows(
        "SELECT email_normalized, count(*) FROM res_partner"
        " WHERE email_normalized = ANY(%s) GROUP BY email_normalized",
        (addresses,),
    )
    assert dict(rows) == dict.fromkeys(addresses, 1)


def test_acknowledgements(fetched):
    """One acknowledgement per ticket opened by a person, to the customer,
    answerable at the team's alias and marked so that auto-responders stay
    quiet; nothing at all to the machines that wrote in."""
    mails = fetched.corpus.mails
    sent = fetched.sink.snapshot()
    refs = {
        key: rows[0]["ref"] for key, rows in checks.tickets(fetched.database).items()
    }
    acks = checks.acknowledgements(sent)
    expected = {
        refs[m.message_id]: m for m in mails if m.outcome == TICKET and m.acknowledged
    }
    missing = {ref: expected[ref].shape for ref in set(expected) - set(acks)}
    unexpected = {
        ref: str(acks[ref][0].message["Subject"]) for ref in set(acks) - set(expected)
    }
    assert (missing, unexpected) == ({}, {})
    for ref, ack_mails in acks.items():
        assert len(ack_mails) == 1, f"#{ref} acknowledged {len(ack_mails)} times"
        ack, mail = ack_mails[0], expected[ref]
        assert ack.rcpt_tos == [mail.customer]
        assert email_normalize(str(ack.message["Reply-To"])) == fetched.team.alias
        assert ack.message["Auto-Submitted"] == "auto-replied"
        assert ack.message["X-Auto-Response-Suppress"] == "All"
        assert ack.mail_from == f"bounce@{DOMAIN}"
    robots = {
        m.sender.lower() for m in mails if m.outcome == TICKET and not m.acknowledged
    }
    assert len(robots) == 10
    assert [m for m in sent if robots & {r.lower() for r in m.rcpt_tos}] == []
    # customers hear from the helpdesk through acknowledgements only
    customers = {m.customer for m in mails if m.outcome == TICKET}
    others = [
        m
        for m in sent
        if customers & set(m.rcpt_tos) and m not in sum(acks.values(), [])
    ]
    assert others == []


def test_bounced_acknowledgements_recorded(fetched):
    """A non-delivery report of an acknowledgement marks the notification
    as bounced instead of opening a ticket."""
    bounces = [m for m in fetched.corpus.mails if m.shape == "bounce/ack"]
    assert len(bounces) == 2
    for bounce in bounces:
        ack = fetched.acks[bounce.extra["bounced"].ticket_key]
        status = fetched.database.rows(
            """
            SELECT n.notification_status, n.failure_type
              FROM mail_notification n
              JOIN mail_message m ON m.id = n.mail_message_id
             WHERE m.message_id = %s
            """,
            (ack.message["Message-ID"],),
        )
        assert status == [("bounce", "mail_bounce")]


def test_mailgate_gives_the_same_tickets(fetched, piped):
    """Every email the script hands over ends up exactly as when fetched
    over IMAP, and the transfer agent is told so (exit status 0)."""
    assert piped.refused == {}
    expected = checks.snapshot(fetched.database, fetched.team.id)
    assert checks.snapshot(piped.database, piped.team.id) == expected


def test_mailgate_pipes_8bit_non_utf8_messages(fetched, piped):
    """Raw 8-bit mail in another charset than UTF-8 (iso-8859-1,
    windows-1252 with Content-Transfer-Encoding: 8bit) goes through the
    pipe byte for byte: the same tickets, with the same titles, as fetched."""
    eight_bit = {m.message_id for m in fetched.corpus.mails if raw_8bit_non_utf8(m)}
    assert eight_bit
    assert not eight_bit & set(piped.refused)
    expected = checks.snapshot(fetched.database, fetched.team.id)
    found = checks.snapshot(piped.database, piped.team.id)
    assert {key: found.get(key) for key in eight_bit} == {
        key: expected[key] for key in eight_bit
    }


@pytest.fixture(scope="module")
def gate(helpdesk):
    """A team of its own for the refusals of the mail gateway script."""
    team = helpdesk.add_team("Gate", "gate")
    return team, new_corpus(helpdesk, team)


def test_mailgate_refuses_a_wrong_secret(helpdesk, gate, database):
    """A wrong or missing secret is a permanent refusal (EX_NOPERM), and
    nothing is stored."""
    team, corpus = gate
    mail = corpus.plain(9001)
    for secret in ("not-the-secret", harness.mailgate_secret(helpdesk.server)[:-1]):
        code, err = harness.mailgate(helpdesk.server, mail.raw, secret=secret)
        assert (code, "HTTP 401" in err) == (EX_NOPERM, True)
    assert checks.tickets(database, team.id).get(mail.message_id) is None
    assert harness.mailgate(helpdesk.server, mail.raw)[0] == 0
    assert len(checks.tickets(database, team.id)[mail.message_id]) == 1


def test_mailgate_retries_later_when_odoo_is_down(helpdesk, gate):
    """Odoo not listening: the transfer agent keeps the email queued and
    tries again later (EX_TEMPFAIL)."""
    mail = gate[1].plain(9002)
    url = f"http://127.0.0.1:{harness.free_port()}"
    assert harness.mailgate(helpdesk.server, mail.raw, url=url)[0] == EX_TEMPFAIL


def test_mailgate_garbage_and_huge_input(helpdesk, gate, database):
    """Bytes that are no email but are addressed to the team are kept as
    an unprocessable ticket (exit status 0); empty input and an email over
    the size limit are refused for good (EX_DATAERR); NUL bytes and invalid
    UTF-8 pass the pipe."""
    garbage = (
        b"To: " + gate[0].alias.encode() + b"\r\nSubject: \xff\xfe\x00\r\n"
        b"Message-ID: <garbage.9003@example.com>\r\nContent-Type: multipart/mixed"
        b'; boundary="x"\r\n\r\n\x00\x01\xc3\x28' + bytes(range(256)) * 64
    )
    assert harness.mailgate(helpdesk.server, garbage)[0] == 0
    assert (
        database.value(
            "SELECT count(*) FROM helpdesk_ticket WHERE email_message_id = %s",
            ("<garbage.9003@example.com>",),
        )
        == 1
    )
    assert harness.mailgate(helpdesk.server, b"")[0] == EX_DATAERR
    helpdesk.execute(
        "ir.config_parameter",
        "set_param",
        "helpdesk_intake.mailgate_max_bytes",
        "1000000",
    )
    try:
        huge = gate[1].plain(9004).raw + b"x" * 2_000_000
        code, err = harness.mailgate(helpdesk.server, huge)
    finally:
        helpdesk.execute(
            "ir.config_parameter", "set_param", "helpdesk_intake.mailgate_max_bytes", ""
        )
    assert (code, "HTTP 413" in err) == (EX_DATAERR, True)
