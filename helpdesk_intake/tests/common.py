import base64
import uuid
from contextlib import contextmanager

from odoo.tools import email_normalize

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

# ----------------------------------------------------------------------
# Incoming emails, written as raw RFC 822 text rather than built with
# ``email.message``: the gateway must also read what mail clients and relays
# really send (unknown or wrong charsets, no Subject, truncated MIME).
# ----------------------------------------------------------------------

DEFAULT_FROM = '"Chuck Customer" <chuck@customer.test>'
DEFAULT_SUBJECT = "Printer does not print"
DEFAULT_BODY = "Hello,\nmy printer does not print anymore.\nChuck"

BOUNDARY_ALTERNATIVE = "=_alt_7c1d0e"
BOUNDARY_MIXED = "=_mixed_41f2aa"


def new_msg_id():
    return f"<{uuid.uuid4().hex}@mail.customer.test>"


def _multipart(subtype, boundary, parts, truncated=False):
    """A multipart entity; ``truncated``: its closing boundary never comes."""
    text = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'
    text += "".join(f"--{boundary}\n{part}\n" for part in parts)
    return text if truncated else f"{text}--{boundary}--\n"


def _attachment(name, content, mimetype="application/octet-stream"):
    return (
        f'Content-Type: {mimetype}; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        "Content-Transfer-Encoding: base64\n\n"
        f"{base64.encodebytes(content).decode()}"
    )


def build_email(
    *,
    to,
    body=DEFAULT_BODY,
    html=None,
    attachments=(),
    charset="utf-8",
    subject=DEFAULT_SUBJECT,
    headers=None,
    email_from=DEFAULT_FROM,
    msg_id=None,
    cc="",
    in_reply_to="",
    references="",
    return_path=None,
    truncated=False,
    encoding=None,
):
    """Raw email as a mail server hands it over.

    :param body: text of the text/plain part
    :param html: body of a text/html alternative to ``body``, put in a page
        as mail clients do
    :param attachments: ``(name, content[, mimetype])`` tuples, ``content``
        in bytes; the email becomes multipart/mixed
    :param charset: charset declared by the text parts, known or not
    :param subject: ``None`` for no Subject header at all
    :param headers: more headers, ``{name: value}`` (Cc, In-Reply-To and
        References have their own arguments)
    :param return_path: envelope sender; the address of ``email_from``
        by default
    :param truncated: the email stops at the end of its last attachment,
        without closing boundary, as when a relay cuts it
    :param encoding: return bytes in this encoding instead of text, e.g.
        latin-1 bytes under a declared utf-8
    """
    if return_path is None:
        return_path = f"<{email_normalize(email_from) or email_from}>"
    lines = [
        f"Return-Path: {return_path}",
        "Received: from mail.customer.test (mail.customer.test [203.0.113.7])",
        "    by mx.test.mycompany.com (Postfix) with ESMTPS id 4F2A81C0B2",
        f"    for <{to}>; Tue, 10 Mar 2026 09:12:44 +0100 (CET)",
        f"Message-ID: {msg_id or new_msg_id()}",
        "Date: Tue, 10 Mar 2026 09:12:41 +0100",
        f"From: {email_from}",
        f"To: {to}",
    ]
    if subject is not None:
        lines.append(f"Subject: {subject}")
    lines.append("MIME-Version: 1.0")
    extra = {"Cc": cc, "In-Reply-To": in_reply_to, "References": references}
    lines += [f"{name}: {value}" for name, value in extra.items() if value]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]

    content = (
        f"Content-Type: text/plain; charset={charset}\n"
        f"Content-Transfer-Encoding: 8bit\n\n{body}"
    )
    if html is not None:
        html_part = (
            f"Content-Type: text/html; charset={charset}\n"
            "Content-Transfer-Encoding: 8bit\n\n"
            f'<html><head><meta charset="{charset}"></head>'
            f"<body>{html}</body></html>"
        )
        content = _multipart("alternative", BOUNDARY_ALTERNATIVE, [content, html_part])
    if attachments:
        parts = [content, *(_attachment(*attachment) for attachment in attachments)]
        content = _multipart("mixed", BOUNDARY_MIXED, parts, truncated)
    elif html is None:
        content += "\n"
    raw = "\n".join(lines) + "\n" + content
    return raw.encode(encoding) if encoding else raw


# Bodies of an employee forwarding a customer's email, as mail clients write them.
FORWARD_GMAIL_BODY = """FYI, see below: the customer cannot print invoices.

---------- Forwarded message ---------
From: Jane Customer <{customer_email}>
Date: Mon, 9 Mar 2026 at 17:02
Subject: {subject}
To: Ernest Employee <employee@example.com>


Hello, our printer prints blank pages since the update.
Jane
"""

FORWARD_OUTLOOK_BODY = """Could you take this one?

________________________________
From: Jane Customer <{customer_email}>
Sent: Monday, March 9, 2026 5:02 PM
To: Ernest Employee <employee@example.com>
Subject: {subject}

Hello, our printer prints blank pages since the update.
Jane
"""


class HelpdeskIntakeCommon(MailCommon):
    """Users per group, three teams with an email alias, a customer, and the
    tools to push raw emails through the mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_helpdesk_user = cls.env.ref("helpdesk_intake.group_helpdesk_user")
        cls.group_helpdesk_manager = cls.env.ref(
            "helpdesk_intake.group_helpdesk_manager"
        )

        cls.user_hd_manager = mail_new_test_user(
            cls.env,
            login="hd_manager",
            name="Hannah Helpdesk Manager",
            email="hannah.manager@test.mycompany.com",
            groups="helpdesk_intake.group_helpdesk_manager",
            notification_type="inbox",
        )
        cls.user_hd_agent = mail_new_test_user(
            cls.env,
            login="hd_agent",
            name="Arthur Agent",
            email="arthur.agent@test.mycompany.com",
            groups="helpdesk_intake.group_helpdesk_user",
            notification_type="inbox",
        )
        cls.user_hd_agent2 = mail_new_test_user(
            cls.env,
            login="hd_agent2",
            name="Bea Agent",
            email="bea.agent@test.mycompany.com",
            groups="helpdesk_intake.group_helpdesk_user",
            notification_type="inbox",
        )
        cls.user_hd_agent3 = mail_new_test_user(
            cls.env,
            login="hd_agent3",
            name="Carl Agent",
            email="carl.agent@test.mycompany.com",
            groups="helpdesk_intake.group_helpdesk_user",
            notification_type="inbox",
        )
        cls.user_hd_agent_c2 = mail_new_test_user(
            cls.env,
            login="hd_agent_c2",
            name="Dora Agent Company 2",
            email="dora.agent@test.mycompany2.com",
            groups="helpdesk_intake.group_helpdesk_user",
            company_id=cls.company_2.id,
            company_ids=[(6, 0, cls.company_2.ids)],
            notification_type="inbox",
        )
        # logins of 8+ characters: new_test_user's password is the login then
        cls.user_portal = mail_new_test_user(
            cls.env,
            login="portal_jane",
            name="Jane Portal",
            email="jane.portal@customer.test",
            groups="base.group_portal",
        )
        cls.user_portal_other = mail_new_test_user(
            cls.env,
            login="portal_other",
            name="Otto Portal",
            email="otto.portal@elsewhere.test",
            groups="base.group_portal",
        )
        cls.partner_portal = cls.user_portal.partner_id
        cls.partner_portal_other = cls.user_portal_other.partner_id

        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Chuck Customer",
                "email": "chuck@customer.test",
                "phone": "+32 470 12 34 56",
            }
        )
        cls.stage_new = cls.env.ref("helpdesk_intake.stage_new")
        cls.stage_in_progress = cls.env.ref("helpdesk_intake.stage_in_progress")
        cls.stage_solved = cls.env.ref("helpdesk_intake.stage_solved")
        cls.stage_cancelled = cls.env.ref("helpdesk_intake.stage_cancelled")

        # customer-facing teams: customers follow their tickets in the portal
        Team = cls.env["helpdesk.team"].with_user(cls.user_hd_manager)
        cls.team = Team.create(
            {
                "name": "Intake Support",
                "privacy_visibility": "portal",
                "member_ids": [(6, 0, cls.user_hd_agent.ids)],
            }
        ).sudo()
        cls.team_b = Team.create(
            {
                "name": "Intake Billing",
                "privacy_visibility": "portal",
                "member_ids": [(6, 0, cls.user_hd_agent2.ids)],
            }
        ).sudo()
        # a team of the second company, with its own stages (first one by
        # sequence is not the first one created)
        cls.stage_c2_triage = cls.env["helpdesk.stage"].create(
            {"name": "C2 Triage", "sequence": 50}
        )
        cls.stage_c2_intake = cls.env["helpdesk.stage"].create(
            {"name": "C2 Intake", "sequence": 0}
        )
        cls.team_c2 = (
            cls.env["helpdesk.team"]
            .with_company(cls.company_2)
            .create(
                {
                    "name": "Intake Support C2",
                    "privacy_visibility": "portal",
                    "company_id": cls.company_2.id,
                    "member_ids": [(6, 0, cls.user_hd_agent_c2.ids)],
                    "stage_ids": [
                        (6, 0, (cls.stage_c2_triage | cls.stage_c2_intake).ids)
                    ],
                }
            )
        )
        cls.alias_a = cls.team.alias_id.alias_full_name
        cls.alias_b = cls.team_b.alias_id.alias_full_name
        cls.alias_c2 = cls.team_c2.alias_id.alias_full_name

    # ------------------------------------------------------------
    # TOOLS
    # ------------------------------------------------------------

    new_msg_id = staticmethod(new_msg_id)

    def build_email(self, to=None, **values):
        """``build_email`` of the module, to the first team's alias by default."""
        return build_email(to=to or self.alias_a, **values)

    def process(self, raw):
        """Feed ``raw`` (str or bytes) to the mail gateway, as the fetchmail
        cron does, and return the tickets it created."""
        Ticket = self.env["helpdesk.ticket"].sudo().with_context(active_test=False)
        last = Ticket.search([], order="id desc", limit=1).id or 0
        self.env["mail.thread"].sudo().message_process(None, raw)
        return Ticket.search([("id", ">", last)], order="id")

    def deliver(self, **kwargs):
        """build_email + process."""
        return self.process(self.build_email(**kwargs))

    def incoming_message(self, msg_id):
        return self.env["mail.message"].sudo().search([("message_id", "=", msg_id)])

    @contextmanager
    def mock_mail_gateway(self, *args, **kwargs):
        """Odoo's mocked SMTP, plus, on exit, the runs of the scheduled
        actions that send acknowledgements and the mail queue, as their
        triggers do right after the transaction."""
        with super().mock_mail_gateway(*args, **kwargs):
            yield
            # stage emails follow tracking, which runs before the commit
            self.flush_tracking()
            self.env["helpdesk.ticket"]._cron_send_acknowledgements()
            self.env["mail.mail"].sudo().process_email_queue()

    def sent_to(self, email):
        """Emails that went out through the (mocked) SMTP to ``email``."""
        email = email_normalize(email)
        return [
            mail
            for mail in self._mails
            if email in [email_normalize(to) for to in mail["email_to"]]
        ]

    def ack_mails(self, ticket, email=None):
        """Acknowledgements of ``ticket`` sent to ``email`` (customer's by default)."""
        return [
            mail
            for mail in self.sent_to(email or ticket.partner_email)
            if mail["subject"].startswith(f"[#{ticket.ref}]")
            and "solved" not in mail["subject"]
        ]

    def make_tickets(self, vals_list, team=None):
        team = team or self.team
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                [
                    {"team_id": team.id, "intake_channel": "manual", **vals}
                    for vals in vals_list
                ]
            )
        )
