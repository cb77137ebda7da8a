"""Pure helpers for the emails the helpdesk receives and sends: headers
read leniently, senders that are robots, ticket references in subjects,
the sender quoted by a forward, and the raw bytes the gateway accepts.
Nothing here touches the database."""

import codecs
import re
import xmlrpc.client
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

import psycopg2

from odoo.tools import email_split, formataddr, html2plaintext
from odoo.tools.mail import email_re

# Headers of every automated email we send, so that auto-responders stay quiet.
AUTO_REPLY_HEADERS = {
    "Auto-Submitted": "auto-replied",
    "X-Auto-Response-Suppress": "All",
}
# Local parts of mailboxes that never read what they receive.
AUTOMATED_SENDER = re.compile(
    r"^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)([-+.].*)?$",
    re.I,
)
# Values of headers that mark a message as written by a machine, not a person
# (RFC 3834 and the de-facto headers of common mail servers).
AUTO_GENERATED_HEADERS = {
    "Auto-Submitted": lambda value: value.strip().lower() not in ("", "no"),
    "Precedence": lambda value: value.strip().lower() in ("bulk", "junk", "list"),
    "X-Auto-Response-Suppress": lambda value: bool(value.strip()),
    "X-Autoreply": lambda value: bool(value.strip()),
    "X-Autorespond": lambda value: bool(value.strip()),
    "List-Unsubscribe": lambda value: bool(value.strip()),
    "Return-Path": lambda value: re.fullmatch(r"\s*<?\s*>?\s*", value) is not None,
}
# "#<ticket reference>" in a subject.
SUBJECT_REFERENCE = re.compile(r"#(\d+)\b")
# The line common mail clients write above the message they forward.
FORWARD_MARKER = re.compile(
    r"(-{2,}\s*(forwarded message|original message|mensaje reenviado"
    r"|message transf\w+)"
    r"|begin forwarded message|_{10,})",
    re.IGNORECASE,
)
FORWARD_FROM = re.compile(r"\b(?:from|de|von)\s*:", re.IGNORECASE)
# Headers that tell the mailbox a raw email was delivered to, most precise first.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
# Name of the unique index that keeps one ticket per email.
EMAIL_MESSAGE_ID_CONSTRAINT = "helpdesk_ticket_email_message_id_uniq"


def header_text(value):
    """Decoded text of a raw header, whatever its encoding."""
    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeError, LookupError, ValueError):
        return str(value)


def raw_headers(raw):
    """The headers of a raw email, parsed leniently enough for emails the
    gateway cannot parse."""
    return BytesHeaderParser(policy=compat32).parsebytes(raw)


def raw_recipients(headers):
    """Lower-cased addresses a raw email was delivered or addressed to."""
    return [
        email.lower()
        for header in RECIPIENT_HEADERS
        for value in headers.get_all(header) or ()
        for email in email_split(header_text(value))
    ]


def is_automated_sender(email):
    """Whether a normalized address is a mailbox nobody reads (bounces,
    no-reply)."""
    return bool(AUTOMATED_SENDER.match((email or "").split("@", 1)[0]))


def subject_references(subject):
    """Ticket references written ``#<ref>`` in ``subject``."""
    return SUBJECT_REFERENCE.findall(subject or "")


def forwarded_sender(body):
    """Sender of the message quoted by a forward, from the header block
    that common mail clients write below their forward marker; False when
    there is none."""
    text = html2plaintext(body or "", include_references=False)
    marker = FORWARD_MARKER.search(text)
    if not marker:
        return False
    # Sanitized HTML may put the whole header block on one line: take the
    # first address after the first "From:" of the forwarded part.
    quoted = text[marker.end() :]
    header = FORWARD_FROM.search(quoted)
    sender = email_re.search(quoted, header.end()) if header else None
    if not sender:
        return False
    # the display name, between "From:" and the address
    name = quoted[header.end() : sender.start()].strip(" \t*\"'<[(")
    if name and len(name) <= 100 and "\n" not in name:
        return formataddr((name, sender.group(1)))
    return sender.group(1)


def message_bytes(message):
    """The raw bytes of a message given the way the gateway accepts it."""
    if isinstance(message, xmlrpc.client.Binary):
        return bytes(message.data)
    if isinstance(message, str):
        return message.encode()
    return message


def is_known_charset(charset):
    """Whether Python can decode text declared in ``charset``."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def is_duplicate_ticket(error):
    """Whether ``error`` says a ticket already exists for the same email."""
    return (
        isinstance(error, psycopg2.IntegrityError)
        and error.diag.constraint_name == EMAIL_MESSAGE_ID_CONSTRAINT
    )


def is_auto_generated(message):
    """Whether an email.message was sent by a robot (auto-reply, list, bounce)."""
    for header, is_auto in AUTO_GENERATED_HEADERS.items():
        for value in message.get_all(header) or ():
            if is_auto(str(value)):
                return True
    return False
