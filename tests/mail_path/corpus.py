"""Emails of the shapes a helpdesk mailbox receives, built with Python's
email package, each with what the helpdesk must make of it.

Every message is delivered as a mail transfer agent would (Return-Path,
Delivered-To and Received on top). The expectations are written from the
customer's point of view: which ticket the message belongs to, who the
customer is, whether an acknowledgement is due, and which attachments and
text must show in the ticket's thread.
"""

import base64
import quopri
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr

TICKET = "ticket"  # opens a ticket
REPLY = "reply"  # joins the thread of an existing ticket
DROPPED = "dropped"  # consumed without a ticket or a message (bounces)

START = datetime(2026, 3, 10, 8, 0, tzinfo=timezone(timedelta(hours=1)))
FIRST_NAMES = (
    "Zoë Ana Björn Chloé Dmitri Eamon Fátima Grace Hugo Ines Jonas Kaja Luca Maëlle "
    "Noah Olga Pedro Quinn Rosa Søren"
).split()
LAST_NAMES = "Dupré Okafor Nyström García Kowalski Brennan Haddad Müller Rossi".split()
DOMAINS = ["example.com", "example.org", "example.net", "example.de", "example.fr"]
PROBLEMS = [
    "The printer on floor 2 prints blank pages",
    "Cannot log in to the portal since the update",
    "Invoice 2026-0113 shows the wrong VAT rate",
    "VPN disconnects every ten minutes",
    "Request for a second screen",
    "Password reset link has expired",
    "Order 5521 arrived damaged",
    "Meeting room display stays black",
    "Export to CSV is missing the last column",
    "Badge does not open the parking gate",
]
# Headers (and envelope) by which machines announce themselves.
AUTO_SHAPES = [
    ("Auto-Submitted: auto-replied", [("Auto-Submitted", "auto-replied")], None),
    ("Auto-Submitted: auto-generated", [("Auto-Submitted", "auto-generated")], None),
    ("X-Autoreply", [("X-Autoreply", "yes")], None),
    ("Precedence: bulk", [("Precedence", "bulk")], None),
    ("Precedence: junk", [("Precedence", "junk")], None),
    (
        "List-Unsubscribe",
        [
            ("List-Unsubscribe", "<mailto:leave@lists.example.org>"),
            ("List-Id", "<news.lists.example.org>"),
        ],
        None,
    ),
    ("X-Auto-Response-Suppress", [("X-Auto-Response-Suppress", "All")], None),
    ("empty Return-Path", [("Return-Path", "<>")], None),
    ("noreply sender", [], "no-reply@notifications.example.com"),
    ("do-not-reply sender", [], "do_not_reply@billing.example.net"),
]


@dataclass
class Mail:
    raw: bytes
    message_id: str
    shape: str
    outcome: str
    n: int = 0
    # the opening email of the ticket this message belongs to
    ticket_key: str | None = None
    # for a new ticket: its customer, title, and whether it is acknowledged;
    # an empty customer name is not checked
    customer: str | None = None
    customer_name: str | None = None
    title: str | None = None
    acknowledged: bool = False
    attachments: tuple = ()
    snippets: tuple = ()
    copies: int = 1
    sender: str = ""
    extra: dict = field(default_factory=dict)


def png(seed):
    """A valid 2x2 PNG, different for each seed."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = bytes([seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    rows = b"".join(b"\x00" + pixel * 2 for _row in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf(text):
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def text_part(text, subtype="plain", charset="utf-8", cte="base64"):
    """A text part encoded exactly as asked, as mail clients differ on it."""
    part = MIMENonMultipart("text", subtype, charset=charset)
    data = text.encode(charset)
    if cte == "base64":
        part.set_payload(base64.encodebytes(data).decode("ascii"))
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(data).decode("ascii"))
    else:
        part.set_payload(data.decode("ascii", "surrogateescape"))
    part["Content-Transfer-Encoding"] = cte
    return part


def attachment(data, mimetype, filename):
    part = MIMEBase(*mimetype.split("/"))
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    part["Content-Transfer-Encoding"] = "base64"
    if filename.isascii():
        part.add_header("Content-Disposition", "attachment", filename=filename)
    else:
        # RFC 2231, as Thunderbird and Apple Mail write non-ASCII file names
        part.add_header(
            "Content-Disposition", "attachment", filename=("utf-8", "", filename)
        )
    return part


def inline_image(data, cid, filename=None):
    part = MIMEImage(data, "png")
    part["Content-ID"] = f"<{cid}>"
    if filename:
        part.add_header("Content-Disposition", "inline", filename=filename)
    else:
        # Outlook names inline images in Content-Type only
        part.set_param("name", f"{cid.split('@')[0]}.png")
    return part


class Corpus:
    """Builds the messages; ``self.mails`` keeps them in delivery order."""

    def __init__(self, alias, bounce, domain, employee):
        self.alias = alias
        self.bounce = bounce
        self.domain = domain
        self.employee = employee  # (name, address) of an internal user
        self.mails = []
        self._count = 0

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------

    def person(self, n):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
        return f"{first} {last}", f"customer{n:03d}@{DOMAINS[n % len(DOMAINS)]}"

    def message_id(self, tag, n, domain="mail.example.com"):
        self._count += 1
        return f"<{tag}.{n:04d}.{self._count}@{domain}>"

    def envelope(
        self,
        msg,
        *,
        sender,
        subject,
        message_id,
        name=None,
        charset="utf-8",
        rcpt=None,
        extra=(),
    ):
        """The message's headers, under those the receiving MTA adds."""
        rcpt = rcpt or self.alias
        date = format_datetime(START + timedelta(minutes=self._count))
        extra = dict(extra)
        headers = [
            ("Return-Path", extra.pop("Return-Path", f"<{sender}>")),
            ("Delivered-To", rcpt),
            (
                "Received",
                f"from mx.example.net (mx.example.net [198.51.100.7]) by "
                f"mx.{self.domain} (Postfix) with ESMTPS id {self._count:08X} "
                f"for <{rcpt}>; {date}",
            ),
            ("Message-ID", message_id),
            ("Date", date),
            ("From", formataddr((name, sender), charset) if name else sender),
            ("To", rcpt),
        ]
        if subject is not None:
            subject = subject if subject.isascii() else Header(subject, charset)
            headers.append(("Subject", subject))
        headers += list(extra.items())
        own = [(key, value) for key, value in msg._headers]
        msg._headers = []
        for key, value in headers + own:
            msg[key] = value
        if "MIME-Version" not in msg:
            msg["MIME-Version"] = "1.0"
        return msg.as_bytes(policy=compat32)

    def add(self, mail):
        self.mails.append(mail)
        return mail

    def deliveries(self):
        """Raw messages in delivery order, second copies included."""
        return [mail.raw for mail in self.mails for _copy in range(mail.copies)]

    def new(
        self,
        msg,
        n,
        shape,
        subject,
        snippets,
        *,
        name=None,
        sender=None,
        title=None,
        attachments=(),
        charset="utf-8",
        acknowledged=True,
        extra=(),
        customer=None,
        customer_name=None,
        who=None,
    ):
        """A message that opens a ticket. ``who`` writes instead of the
        ``n``-th customer; an employee forwarding for ``customer`` too."""
        person_name, address = self.person(n if who is None else who)
        name = person_name if name is None else name
        sender = sender or address
        message_id = self.message_id("new", n)
        raw = self.envelope(
            msg,
            sender=sender,
            subject=subject,
            message_id=message_id,
            name=name,
            charset=charset,
            extra=extra,
        )
        return self.add(
            Mail(
                raw,
                message_id,
                shape,
                TICKET,
                n,
                ticket_key=message_id,
                customer=(customer or sender).lower(),
                customer_name=name if customer_name is None else customer_name,
                title=subject if title is None else title,
                acknowledged=acknowledged,
                attachments=tuple(sorted(attachments)),
                snippets=tuple(snippets),
                sender=sender,
            )
        )

    # ------------------------------------------------------------
    # new tickets
    # ------------------------------------------------------------

    def plain(self, n):
        problem = PROBLEMS[n % len(PROBLEMS)]
        body = (
            f"Hello,\n\n{problem}. Could you look into it?\nReference {n:04d}.\n\n"
            f"Thanks,\n{self.person(n)[0]}"
        )
        cte = ["base64", "quoted-printable", "8bit"][n % 3]
        extra = []
        if n % 5 == 0:
            extra.append(("Cc", f"colleague{n:03d}@{DOMAINS[n % len(DOMAINS)]}"))
        return self.new(
            text_part(body, cte=cte),
            n,
            f"plain/{cte}",
            f"{problem} ({n:04d})",
            [f"Reference {n:04d}"],
            extra=extra,
        )

    def html_only(self, n, who=None):
        problem = PROBLEMS[n % len(PROBLEMS)]
        html = (
            f"<html><body><div dir='ltr'><p>Hi team,</p><p><b>{problem}</b>.</p>"
            f"<ul><li>since Monday</li><li>case {n:04d}</li></ul></div></body></html>"
        )
        return self.new(
            text_part(html, "html", cte="quoted-printable"),
            n,
            "html-only",
            f"[HTML] {problem} ({n:04d})",
            [f"case {n:04d}", problem],
            who=who,
        )

    def alternative_inline_images(self, n):
        """multipart/alternative whose HTML shows images by cid:, in the
        layouts of the common clients."""
        problem = PROBLEMS[n % len(PROBLEMS)]
        text = f"{problem}, screenshot below (ticket {n:04d})."
        cids = [f"image{n:03d}{i}@mail.example.com" for i in range(1 + n % 2)]
        imgs = "".join(f'<img src="cid:{cid}" alt="shot">' for cid in cids)
        html = text_part(f"<html><body><p>{text}</p>{imgs}</body></html>", "html")
        plain = text_part(f"{text}\n[image: shot]")
        names, images = [], []
        for i, cid in enumerate(cids):
            filename = f"screenshot-{n:03d}-{i}.png" if (n + i) % 3 else None
            names.append(filename or f"{cid.split('@')[0]}.png")
            images.append(inline_image(png(n * 10 + i), cid, filename))
        if n % 2:
            # Apple Mail, Outlook: alternative(plain, related(html, images))
            related = MIMEMultipart("related", _subparts=[html, *images])
            msg = MIMEMultipart("alternative", _subparts=[plain, related])
        else:
            # Gmail: related(alternative(plain, html), images)
            alternative = MIMEMultipart("alternative", _subparts=[plain, html])
            msg = MIMEMultipart("related", _subparts=[alternative, *images])
        return self.new(
            msg,
            n,
            "alternative+inline-images",
            f"Screenshot: {problem} ({n:04d})",
            [f"ticket {n:04d}"],
            attachments=names,
        )

    def with_attachments(self, n):
        problem = PROBLEMS[n % len(PROBLEMS)]
        docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        files = [
            (pdf(f"invoice {n}"), "application/pdf", f"invoice-{n:04d}.pdf"),
            (f"line;value\n{n};42\n".encode(), "text/csv", f"export-{n:04d}.csv"),
            (b"PK\x03\x04" + bytes(range(64)), docx, f"report-{n:04d}.docx"),
            (pdf(f"overview {n}"), "application/pdf", f"Übersicht März {n:04d}.pdf"),
            (b"08:00:01 ERROR spooler stopped\n", "text/plain", f"spool-{n:04d}.log"),
        ]
        chosen = [files[(n + i) % len(files)] for i in range(1 + n % 3)]
        body = text_part(f"{problem}. Files attached (case {n:04d}).\n", cte="8bit")
        msg = MIMEMultipart(
            "mixed", _subparts=[body, *(attachment(*spec) for spec in chosen)]
        )
        return self.new(
            msg,
            n,
            "attachments",
            f"{problem} - files ({n:04d})",
            [f"case {n:04d}"],
            attachments=[filename for _data, _type, filename in chosen],
        )

    def latin1(self, n):
        sentence = f"La facture n° {n:04d} a été réglée à moitié"
        body = f"Bonjour,\n\n{sentence}. Merci d'avance.\n\nCordialement,\nRenée\n"
        cte = "8bit" if n % 2 else "quoted-printable"
        return self.new(
            text_part(body, charset="iso-8859-1", cte=cte),
            n,
            f"iso-8859-1/{cte}",
            f"Problème de facturation n° {n:04d} : réglé à moitié",
            [sentence],
            charset="iso-8859-1",
            name=f"Renée Çelik {n:03d}",
        )

    def windows1252(self, n):
        sentence = f"„Rechnung {n:04d}“ über 120 € ist noch offen – bitte prüfen"
        return self.new(
            text_part(
                f"Guten Tag,\n\n{sentence}.\nGrüße\n",
                charset="windows-1252",
                cte="8bit",
            ),
            n,
            "windows-1252/8bit",
            f"Rückfrage zur Rechnung – 120 € offen ({n:04d})",
            [sentence],
            charset="windows-1252",
            name=f"Jürgen Groß {n:03d}",
        )

    def iso2022jp(self, n):
        sentence = f"請求書番号 {n:04d} の金額が違います"
        body = f"お世話になっております。\n{sentence}。\nよろしくお願いいたします。\n"
        return self.new(
            text_part(body, charset="iso-2022-jp", cte="7bit"),
            n,
            "iso-2022-jp",
            f"お問い合わせ：請求書について {n:04d}",
            [sentence],
            charset="iso-2022-jp",
            name=f"山田 太郎{n:03d}",
        )

    def no_subject(self, n):
        first_line = f"The coffee machine on floor {n % 7} shows error E{n:03d}"
        return self.new(
            text_part(
                f"{first_line}\nand the water tank is full.\n", cte="quoted-printable"
            ),
            n,
            "no-subject",
            None,
            [f"error E{n:03d}"],
            title=first_line,
        )

    def forward_by_employee(self, n):
        """An employee forwards a customer's email inline, the way Gmail and
        Outlook write it: the ticket is the customer's."""
        name, address = self.person(n)
        problem = PROBLEMS[n % len(PROBLEMS)]
        employee = f"{self.employee[0]} <{self.employee[1]}>"
        if n % 2:
            header = (
                f"Could you take this one?\n\n---------- Forwarded message ---------\n"
                f"From: {name} <{address}>\nDate: Mon, 9 Mar 2026 at 17:02\n"
                f"Subject: {problem}\nTo: {employee}\n"
            )
        else:
            header = (
                f"FYI\n\n________________________________\nFrom: {name} <{address}>\n"
                f"Sent: Monday, March 9, 2026 5:02 PM\nTo: {employee}\n"
                f"Subject: {problem}\n"
            )
        body = f"{header}\nHello, {problem.lower()} (forwarded {n:04d}).\n"
        # the customer is named after his address: the helpdesk reads the
        # address of the quoted "From:" line, not the name
        return self.new(
            text_part(body, cte="quoted-printable"),
            n,
            "forward/employee-inline",
            f"Fwd: {problem} ({n:04d})",
            [f"forwarded {n:04d}"],
            name=self.employee[0],
            sender=self.employee[1],
            customer=address,
            customer_name="",
        )

    def forward_as_attachment(self, n):
        """A customer forwards an earlier email as an attachment
        (message/rfc822), as Outlook's "Forward as Attachment" does."""
        problem = PROBLEMS[n % len(PROBLEMS)]
        inner = text_part(f"Original report: {problem} (inner {n:04d}).\n")
        inner["From"] = f"Facility Desk <facility{n:03d}@example.net>"
        inner["To"] = self.person(n)[1]
        inner["Subject"] = problem
        inner["Message-ID"] = f"<inner.{n:04d}@example.net>"
        inner["Date"] = format_datetime(START - timedelta(days=1))
        filename = f"{problem[:20]}.eml"
        forwarded = MIMEMessage(inner)
        forwarded.add_header("Content-Disposition", "attachment", filename=filename)
        note = text_part(f"See the attached email (outer {n:04d}).\n")
        return self.new(
            MIMEMultipart("mixed", _subparts=[note, forwarded]),
            n,
            "forward/rfc822-attachment",
            f"FW: {problem} ({n:04d})",
            [f"outer {n:04d}"],
            attachments=[filename],
        )

    def auto_generated(self, n, index):
        """Machine-written mail: a ticket for the agents, but never an
        automatic answer, which could start a mail loop."""
        label, headers, sender = AUTO_SHAPES[index % len(AUTO_SHAPES)]
        # a sender without a display name is known by its address
        return self.new(
            text_part(
                f"This message was generated automatically ({n:04d}).\n", cte="7bit"
            ),
            n,
            f"auto/{label}",
            f"Automatic message {n:04d}: {label}",
            [f"generated automatically ({n:04d})"],
            acknowledged=False,
            extra=headers,
            sender=sender,
            name="" if sender else None,
            customer_name=sender,
        )

    # ------------------------------------------------------------
    # bounces
    # ------------------------------------------------------------

    def dsn(
        self,
        n,
        *,
        recipient,
        original_headers,
        rcpt=None,
        action="failed",
        returned="text/rfc822-headers",
        charset=None,
        sender="MAILER-DAEMON@mx.example.net",
        subject="Undelivered Mail Returned to Sender",
    ):
        """A delivery status notification (RFC 3464), as Postfix writes it."""
        human = text_part(
            "This is the mail system at host mx.example.net.\n\nI'm sorry to have "
            f"to inform you that your message to {recipient} could not be delivered.\n",
            cte="7bit",
        )
        per_message, per_recipient = Message(), Message()
        per_message["Reporting-MTA"] = "dns; mx.example.net"
        per_message["Arrival-Date"] = format_datetime(START)
        per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
        per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
        per_recipient["Action"] = action
        per_recipient["Status"] = "5.1.1" if action == "failed" else "4.4.1"
        per_recipient["Diagnostic-Code"] = f"smtp; 550 5.1.1 <{recipient}>: rejected"
        status = MIMENonMultipart("message", "delivery-status")
        status.set_payload([per_message, per_recipient])
        if returned == "text/rfc822-headers":
            part = MIMENonMultipart("text", "rfc822-headers")
            if charset:
                part.set_param("charset", charset)
            part.set_payload(original_headers)
        else:
            inner = Message()
            for line in original_headers.strip().splitlines():
                key, _sep, value = line.partition(":")
                inner[key] = value.strip()
            inner.set_payload("(body omitted)\n")
            part = MIMEMessage(inner)
        msg = MIMEMultipart("report", _subparts=[human, status, part])
        msg.set_param("report-type", "delivery-status")
        message_id = self.message_id("dsn", n, "mx.example.net")
        raw = self.envelope(
            msg,
            sender=sender,
            subject=subject,
            message_id=message_id,
            name="Mail Delivery System",
            rcpt=rcpt or self.bounce,
            extra=[("Return-Path", "<>"), ("Auto-Submitted", "auto-replied")],
        )
        return raw, message_id

    def bounce_unknown(self, n, index):
        """Bounces of mail the helpdesk never sent (spam backscatter, an
        agent's own mail client): dropped, no ticket."""
        kind = index % 4
        if kind == 0:
            raw, message_id = self.dsn(
                n,
                recipient=f"ghost{n}@example.org",
                original_headers=f"Message-ID: <spam.{n}@spam.example>\n",
            )
        elif kind == 1:
            raw, message_id = self.dsn(
                n,
                recipient=f"old{n}@example.com",
                action="delayed",
                returned="message/rfc822",
                original_headers=f"Message-ID: <agent.{n}@laptop.example>\n",
            )
        elif kind == 2:
            # to the team's address, when an agent answered from his mail
            # client with the team's address as sender
            raw, message_id = self.dsn(
                n,
                recipient=f"typo{n}@example.con",
                rcpt=self.alias,
                sender="postmaster@example.com",
                original_headers=f"Message-ID: <agent.{n}@mua.example>\n",
                subject="Delivery Status Notification (Failure)",
            )
        else:
            # Gmail's: from mailer-daemon, without a report part
            message_id = self.message_id("gbounce", n, "googlemail.com")
            body = (
                f"Address not found\n\nYour message to lost{n}@example.com bounced.\n"
            )
            raw = self.envelope(
                text_part(body),
                sender="mailer-daemon@googlemail.com",
                subject="Delivery Status Notification (Failure)",
                message_id=message_id,
                name="Mail Delivery Subsystem",
                extra=[("Return-Path", "<>")],
            )
        return self.add(Mail(raw, message_id, f"bounce/{kind}", DROPPED, n))

    def bounce_of_ack(self, n, ticket, ack):
        """Non-delivery report of an acknowledgement: recorded on the
        notification, no ticket."""
        # the header block as sent, as transfer agents return it
        headers = ack.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        raw, message_id = self.dsn(
            n, recipient=ticket.customer, original_headers=headers.decode() + "\n"
        )
        return self.add(
            Mail(raw, message_id, "bounce/ack", DROPPED, n, extra={"bounced": ticket})
        )

    # ------------------------------------------------------------
    # replies
    # ------------------------------------------------------------

    def reply(
        self,
        n,
        ticket,
        shape,
        subject,
        *,
        in_reply_to=None,
        references=None,
        body="Thanks, here is more information",
        sender=None,
        extra=(),
        part=None,
        attachments=(),
    ):
        """A message of the customer of ``ticket`` (or of ``sender``) that
        belongs to its thread."""
        snippet = f"reply {n:04d}"
        part = part or text_part(
            f"{body} ({snippet}).\n\n> We received your request\n",
            cte="quoted-printable",
        )
        headers = list(extra)
        if in_reply_to:
            headers.append(("In-Reply-To", in_reply_to))
        if references:
            headers.append(("References", references))
        sender = sender or ticket.customer
        message_id = self.message_id("reply", n)
        raw = self.envelope(
            part, sender=sender, subject=subject, message_id=message_id, extra=headers
        )
        return self.add(
            Mail(
                raw,
                message_id,
                shape,
                REPLY,
                n,
                ticket_key=ticket.ticket_key,
                sender=sender,
                attachments=tuple(sorted(attachments)),
                snippets=(snippet,),
            )
        )


def subject_of(sent):
    # Odoo folds long subjects right after "Subject:"
    return str(sent.message["Subject"] or "").strip()


def thread_headers(sent):
    """In-Reply-To and References of an answer to the mail ``sent``."""
    message_id = sent.message["Message-ID"]
    references = " ".join(filter(None, [sent.message.get("References"), message_id]))
    return message_id, references


def vacation_reply(corpus, n, sender, answered, how):
    """What an out-of-office responder sends back to ``answered``: threaded
    by headers, by the subject only, or as a fresh message."""
    headers = [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")]
    if how == "threaded":
        in_reply_to, references = thread_headers(answered)
        headers += [("In-Reply-To", in_reply_to), ("References", references)]
        subject = f"Out of Office: {subject_of(answered)}"
    elif how == "subject":
        subject = f"Automatic reply: {subject_of(answered)}"
    else:
        subject = "Out of office"
    message_id = corpus.message_id("vacation", n)
    raw = corpus.envelope(
        text_part(f"I am away until Monday ({n:04d}).\n"),
        sender=sender,
        subject=subject,
        message_id=message_id,
        name="Val Cation",
        extra=headers,
    )
    return Mail(raw, message_id, f"vacation/{how}", how, n, sender=sender)


def raw_8bit_non_utf8(mail):
    """Whether the message travels as raw 8-bit bytes that are not UTF-8."""
    try:
        mail.raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


# ----------------------------------------------------------------------
# The two waves of the end-to-end tests: new emails first, then the
# answers to what the helpdesk sent back.
# ----------------------------------------------------------------------


def first_wave(corpus):
    """136 deliveries: 127 new requests of every shape (3 of them delivered
    twice) and 6 bounces. Returns the last message number used."""
    n = 0

    def take(count, build, *args):
        nonlocal n
        made = []
        for index in range(count):
            n += 1
            made.append(build(n, *(arg(index) for arg in args)))
        return made

    plain = take(30, corpus.plain)
    for mail in plain[3::10]:
        mail.copies = 2  # a relay that retried after a timeout
    # five customers write a second time, about something else
    take(15, corpus.html_only, lambda i: plain[i].n if i < 5 else None)
    take(15, corpus.alternative_inline_images)
    take(15, corpus.with_attachments)
    take(10, corpus.latin1)
    take(10, corpus.windows1252)
    take(8, corpus.iso2022jp)
    take(6, corpus.no_subject)
    take(4, corpus.forward_by_employee)
    take(4, corpus.forward_as_attachment)
    take(10, corpus.auto_generated, lambda i: i)
    take(6, corpus.bounce_unknown, lambda i: i)
    return n


def second_wave(corpus, start, acks):
    """64 deliveries answering the first wave; ``acks`` maps the opening
    email of each acknowledged ticket to its acknowledgement."""
    # customers of every transport answer, odoo-mailgate's included (see
    # raw_8bit_non_utf8)
    tickets = [
        m
        for m in corpus.mails
        if m.outcome == TICKET and m.acknowledged and not raw_8bit_non_utf8(m)
    ]
    numbers = iter(range(start + 1, start + 1000))
    turns = iter(range(1, 1000))

    def target():
        ticket = tickets[(next(turns) * 7) % len(tickets)]
        return next(numbers), ticket, acks[ticket.ticket_key]

    for index in range(15):
        n, ticket, ack = target()
        in_reply_to, references = thread_headers(ack)
        part, names = None, ()
        if index % 5 == 1:
            names = (f"photo-{n:04d}.pdf",)
            text = text_part(f"Photo attached (reply {n:04d}).\n")
            photo = attachment(pdf(f"photo {n}"), "application/pdf", names[0])
            part = MIMEMultipart("mixed", _subparts=[text, photo])
        elif index % 5 == 3:
            names = (f"error-{n:04d}.png",)
            cid = f"reply{n:04d}@mail.example.com"
            html = text_part(
                f'<p>Error (reply {n:04d}):</p><img src="cid:{cid}">', "html"
            )
            image = inline_image(png(n), cid, names[0])
            part = MIMEMultipart("related", _subparts=[html, image])
        corpus.reply(
            n,
            ticket,
            "reply/threaded",
            f"Re: {subject_of(ack)}",
            in_reply_to=in_reply_to,
            references=references,
            part=part,
            attachments=names,
        )
    for _index in range(5):
        n, ticket, ack = target()
        corpus.reply(
            n,
            ticket,
            "reply/references-only",
            f"Re: {subject_of(ack)}",
            references=thread_headers(ack)[1],
        )
    prefixes = ["Re: ", "RE: ", "AW: ", "Sv: ", "Re: Re: "]
    for index in range(10):
        n, ticket, ack = target()
        corpus.reply(
            n,
            ticket,
            "reply/subject-reference",
            f"{prefixes[index % len(prefixes)]}{subject_of(ack)}",
            sender=ticket.customer.upper() if index == 4 else None,
        )
    for _index in range(5):
        n, ticket, ack = target()
        corpus.reply(
            n,
            ticket,
            "reply/to-own-email",
            f"Re: {ticket.title}",
            in_reply_to=ticket.message_id,
            references=ticket.message_id,
            body="I forgot to say: it happens every morning",
        )
    for _index in range(3):
        n, ticket, ack = target()
        # quoting someone else's ticket reference opens a ticket of one's own
        corpus.new(
            text_part(f"Is this about my case too? ({n:04d})\n"),
            n,
            "new/stranger-quoting-reference",
            f"Re: {subject_of(ack)}",
            [f"my case too? ({n:04d})"],
            name=f"Stranger {n}",
            sender=f"stranger{n:03d}@example.org",
        )
    for _index in range(5):
        n, ticket, ack = target()
        in_reply_to, references = thread_headers(ack)
        corpus.reply(
            n,
            ticket,
            "reply/vacation-threaded",
            f"Out of Office: {subject_of(ack)}",
            in_reply_to=in_reply_to,
            references=references,
            body="I am out of the office until Monday",
            extra=[("Auto-Submitted", "auto-replied")],
        )
    for _index in range(3):
        n, ticket, ack = target()
        corpus.reply(
            n,
            ticket,
            "reply/exchange-auto-reply",
            f"Automatic reply: {subject_of(ack)}",
            body="I am on leave",
            extra=[
                ("X-Auto-Response-Suppress", "All"),
                ("Auto-Submitted", "auto-generated"),
            ],
        )
    for _index in range(2):
        n, ticket, ack = target()
        corpus.bounce_of_ack(n, ticket, ack)
    builders = [corpus.plain, corpus.html_only, corpus.with_attachments, corpus.latin1]
    for index in range(16):
        builders[index % len(builders)](next(numbers))
