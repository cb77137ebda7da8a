"""What Outlook, S/MIME clients and large emails bring, end to end: the
emails are delivered into a Dovecot maildir, fetched over IMAP by Odoo's
incoming mail server, and acknowledged through an SMTP sink."""

import importlib.util
from pathlib import Path

import pytest

from odoo.tools import html2plaintext

from . import checks

SAMPLES_FILE = (
    Path(__file__).resolve().parents[2]
    / "helpdesk_intake"
    / "tests"
    / "mail_content_samples.py"
)
MAX_EMAIL_SIZE_MB = 1


def load_samples():
    """The email builders of the addon's tests, loaded by path: importing
    them as a module of the addon would import all its tests."""
    spec = importlib.util.spec_from_file_location("mail_content_samples", SAMPLES_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = load_samples()


def attachments_of(database, ticket_id):
    return sorted(
        name
        for (name,) in database.rows(
            "SELECT name FROM ir_attachment"
            " WHERE res_model = 'helpdesk.ticket' AND res_id = %s",
            (ticket_id,),
        )
    )


def description_of(database, ticket_id):
    return html2plaintext(
        database.value(
            "SELECT description FROM helpdesk_ticket WHERE id = %s", (ticket_id,)
        )
        or ""
    )


@pytest.fixture(scope="module")
def received(helpdesk, dovecot, database, smtp_sink):
    team = helpdesk.add_team("Outlook users", "outlook")
    helpdesk.execute(
        "helpdesk.team", "write", [team.id], {"max_email_size": MAX_EMAIL_SIZE_MB}
    )
    mailbox = dovecot.mailbox("outlook")
    helpdesk.add_fetchmail(mailbox, "Outlook mailbox")
    emails = {
        "tnef": samples.outlook_tnef_email(
            team.alias, samples.tnef_sample("two-files.tnef")
        ),
        "signed": samples.smime_signed_email(
            team.alias,
            "My badge does not open door 3.",
            opaque=True,
            attachment=("badge.pdf", b"%PDF-1.4 badge"),
        ),
        "encrypted": samples.smime_encrypted_email(team.alias),
        "oversize": samples.big_email(
            team.alias, [("small.log", 300_000), ("huge.log", 1_500_000)]
        ),
    }
    mailbox.deliver_all(message.as_bytes() for message in emails.values())
    helpdesk.fetch(mailbox)
    helpdesk.run_scheduled_jobs()
    by_message_id = checks.tickets(database, team.id)
    tickets = {
        shape: by_message_id[message["Message-ID"]] for shape, message in emails.items()
    }
    return tickets, smtp_sink.snapshot()


def one_ticket(received, shape):
    tickets, _sent = received
    (ticket,) = tickets[shape]
    assert not ticket["unprocessable"]
    return ticket


def test_tnef_files_are_attachments(received, database):
    ticket = one_ticket(received, "tnef")
    assert attachments_of(database, ticket["id"]) == [
        "AUTHORS",
        "README",
        "winmail.dat",
    ]


def test_opaque_signed_email_is_read(received, database):
    ticket = one_ticket(received, "signed")
    assert "My badge does not open door 3." in description_of(database, ticket["id"])
    assert attachments_of(database, ticket["id"]) == ["badge.pdf", "smime.p7m"]


def test_encrypted_email_says_so(received, database):
    ticket = one_ticket(received, "encrypted")
    assert "cannot be read without the key" in description_of(database, ticket["id"])
    assert attachments_of(database, ticket["id"]) == ["smime.p7m"]


def test_oversize_email_acknowledges_refused_files(received, database):
    ticket = one_ticket(received, "oversize")
    assert attachments_of(database, ticket["id"]) == ["small.log"]
    _tickets, sent = received
    (ack,) = checks.acknowledgements(sent)[ticket["ref"]]
    html = ack.message.get_body(("html",)).get_content()
    text = html2plaintext(html)
    assert "small.log (293.0 KB)" in text
    assert "These files were not received" in text
    assert "huge.log (1.4 MB)" in text
