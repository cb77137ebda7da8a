from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from ..models.helpdesk_mail_receipt import MAX_ATTEMPTS, RETRY_DELAYS
from .common import HelpdeskIntakeCommon
from .test_unprocessable import POISON_REPORT


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestMailReceipt(HelpdeskIntakeCommon):
    """What keeps an email from being lost or stored twice: the receipt of
    each email, the retries of a failing one, the team that keeps what no
    alias claims, and no bounce for an email the helpdesk kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = cls.env["fetchmail.server"].create(
            {
                "name": "Support mailbox",
                "server_type": "imap",
                "server": "imap.mycompany.test",
                "object_id": cls.env["ir.model"]._get_id("helpdesk.ticket"),
            }
        )
        cls.Receipt = cls.env["helpdesk.mail.receipt"].sudo()

    def test_failing_email_retried_later_each_time_then_kept_aside(self):
        raw = self.build_email(msg_id=self.new_msg_id()).encode()
        now = fields.Datetime.now()
        for attempt, delay in enumerate(RETRY_DELAYS, start=1):
            with freeze_time(now):
                self.assertFalse(
                    self.Receipt._record_failure(self.server, raw, ValueError("x"))
                )
            receipt = self.Receipt.search([("key", "=", self.Receipt._key(raw))])
            self.assertEqual(receipt.attempts, attempt)
            if delay:
                with freeze_time(now + timedelta(minutes=delay, seconds=-1)):
                    self.assertTrue(self.Receipt._is_deferred(self.server, raw))
            now += timedelta(minutes=delay)
            with freeze_time(now):
                self.assertFalse(self.Receipt._is_deferred(self.server, raw))
        self.assertTrue(self.Receipt._record_failure(self.server, raw, ValueError()))
        self.assertEqual(receipt.attempts, MAX_ATTEMPTS)
        # another mail server fetching the same email is not held back
        other = self.server.copy({"name": "Other mailbox"})
        self.assertFalse(self.Receipt._is_deferred(other, raw))

    def test_email_without_message_id_keyed_by_its_bytes(self):
        raw = b"To: nobody@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
        key = self.Receipt._key(raw)
        self.assertTrue(key.startswith("sha256:"))
        self.assertNotEqual(key, self.Receipt._key(raw + b"!"))
        self.assertEqual(self.Receipt._key(b"Message-ID: <a@b>\r\n\r\n"), "<a@b>")

    def test_receipt_written_with_the_email(self):
        msg_id = self.new_msg_id()
        self.deliver(msg_id=msg_id)
        self.assertEqual(self.Receipt.search_count([("key", "=", msg_id)]), 1)
        # received again: still one receipt, one ticket
        self.assertFalse(self.deliver(msg_id=msg_id))
        self.assertEqual(self.Receipt.search_count([("key", "=", msg_id)]), 1)

    def test_unreadable_report_to_the_bounce_address_kept_with_its_ticket(self):
        ticket = self.deliver(msg_id=self.new_msg_id(), to=self.alias_b)
        report = POISON_REPORT.format(
            to=self.alias_domain_bounce_email(), msg_id=self.new_msg_id()
        ).replace(
            "MIME-Version: 1.0",
            f"In-Reply-To: {ticket.email_message_id}\nMIME-Version: 1.0",
        )
        kept = self.process(report)
        self.assertTrue(kept.is_unprocessable)
        self.assertEqual(kept.team_id, self.team_b)

    def test_unreadable_email_to_the_catchall_kept_by_the_first_team(self):
        report = POISON_REPORT.format(
            to=self.env.company.alias_domain_id.catchall_email,
            msg_id=self.new_msg_id(),
        )
        kept = self.process(report)
        self.assertTrue(kept.is_unprocessable)
        first = self.env["helpdesk.team"].search([("use_alias", "=", True)], limit=1)
        self.assertEqual(kept.team_id, first)

    def test_unreadable_email_to_someone_else_not_kept(self):
        report = POISON_REPORT.format(to="elsewhere@example.com", msg_id="<x@y>")
        with self.assertRaises(LookupError):
            self.process(report)

    def test_email_kept_after_a_configuration_error_not_bounced(self):
        self.team.alias_id.alias_defaults = "{'x_no_such_field': 1}"
        msg_id = self.new_msg_id()
        with self.mock_mail_gateway():
            kept = self.deliver(msg_id=msg_id)
        self.assertTrue(kept.is_unprocessable)
        self.assertEqual(self.sent_to("chuck@customer.test"), [])

    def alias_domain_bounce_email(self):
        return self.env.company.alias_domain_id.bounce_email
