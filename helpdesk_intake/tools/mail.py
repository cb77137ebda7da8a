"""Pure helpers for the emails the helpdesk receives and sends: headers
read leniently, senders that are robots, ticket references in subjects,
the sender quoted by a forward, the sender authentication added by the
receiving mail server, and the raw bytes the gateway accepts. Nothing here
touches the database."""

import codecs
import logging
import re
import xmlrpc.client
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

import psycopg2

from odoo.tools import email_split, formataddr, html2plaintext
from odoo.tools.mail import email_re

_logger = logging.getLogger(__name__)

try:
    import authres
except ImportError:
    authres = None
    _logger.warning(
        "The Python package authres is missing: Authentication-Results headers "
        "are ignored, as if the receiving mail server added none."
    )

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
# X-Auto-Response-Suppress values that ask for no automatic reply, as
# Microsoft defines them ([MS-OXCMAIL] 2.2.3.2.14); the others (None, DR, NDR,
# RN, NRN) are about delivery and read receipts. Exchange stamps "All" on the
# automatic replies it sends.
AUTO_RESPONSE_SUPPRESSING = {"all", "autoreply", "oof"}


def suppresses_auto_response(value):
    """Whether an X-Auto-Response-Suppress value asks for no automatic reply."""
    tokens = {token.strip().lower() for token in str(value).split(",")}
    return bool(tokens & AUTO_RESPONSE_SUPPRESSING)


# Values of headers that mark a message as written by a machine, not a person
# (RFC 3834 and the de-facto headers of common mail servers).
AUTO_GENERATED_HEADERS = {
    "Auto-Submitted": lambda value: value.strip().lower() not in ("", "no"),
    "Precedence": lambda value: (
        value.strip().lower() in ("bulk", "junk", "list", "auto_reply")
    ),
    "X-Auto-Response-Suppress": suppresses_auto_response,
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


def auto_generated_reason(message):
    """The header ("Name: value") telling that an email.message was sent by a
    robot (auto-reply, list, bounce); empty when it was not."""
    for header, is_auto in AUTO_GENERATED_HEADERS.items():
        for value in message.get_all(header) or ():
            if is_auto(str(value)):
                return f"{header}: {str(value).strip()}"
    return ""


def is_auto_generated(message):
    """Whether an email.message was sent by a robot (auto-reply, list, bounce)."""
    return bool(auto_generated_reason(message))


def header_addresses(message, header):
    """Normalized addresses of every ``header`` of an email.message."""
    return [
        email.lower()
        for value in message.get_all(header) or ()
        for email in email_split(header_text(value))
    ]


def is_list_message(message):
    """Whether an email.message was distributed by a mailing list (RFC 2369,
    RFC 2919), whose Reply-To then names the list rather than the author."""
    return any(message.get(header) for header in ("List-Id", "List-Post"))


def dmarc_result(message, authserv_id=None):
    """DMARC verdict of the receiving mail server: "pass", "fail", or ""
    when it gave none.

    Anyone can write an Authentication-Results header into the email they
    send; the receiving server adds its own above the others (RFC 8601 5).
    So only the topmost one is read, or, when ``authserv_id`` names the
    receiving server, the topmost one it signed. Any other DMARC result
    (none, temperror, permerror) says nothing about the sender.
    """
    if authres is None:
        return ""
    for value in message.get_all("Authentication-Results") or ():
        try:
            header = authres.AuthenticationResultsHeader.parse_value(
                " ".join(str(value).split())
            )
        except authres.AuthResError:
            if authserv_id:
                continue
            return ""
        if authserv_id and header.authserv_id.lower() != authserv_id.lower():
            continue
        results = [r.result.lower() for r in header.results if r.method == "dmarc"]
        if "fail" in results:
            return "fail"
        return "pass" if "pass" in results else ""
    return ""
