from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HelpdeskIntakeCommon

# A delivery report that Odoo's gateway raises on (LookupError while reading
# the returned headers in an unknown charset).
POISON_REPORT = """From: MAILER-DAEMON@mx.customer.test
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {msg_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="RR"

--RR
Content-Type: text/plain

The mail system could not deliver your message.
--RR
Content-Type: text/rfc822-headers; charset=x-unknown-charset

Message-ID: <original-1@customer.test>
--RR--
"""


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestUnprocessableEmail(HelpdeskIntakeCommon):
    def _poison(self, msg_id):
        return POISON_REPORT.format(to=self.alias_a, msg_id=msg_id)

    def test_poison_email_is_kept_once(self):
        msg_id = self.new_msg_id()
        with self.mock_mail_gateway():
            tickets = self.process(self._poison(msg_id))
        self.assertEqual(len(tickets), 1)
        ticket = tickets
        self.assertTrue(ticket.is_unprocessable)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.email_message_id, msg_id)
        self.assertIn("Undelivered Mail Returned to Sender", ticket.name)
        self.assertEqual(ticket.original_email_id.raw.decode(), self._poison(msg_id))
        self.assertIn(ticket.original_email_id, ticket.message_ids.attachment_ids)
        self.assertFalse(self.ack_mails(ticket, "MAILER-DAEMON@mx.customer.test"))
        # fetched again: neither retried into a second ticket nor lost
        self.assertFalse(self.process(self._poison(msg_id)))

    def test_email_to_other_address_still_raises(self):
        """Only helpdesk mail is kept: other models keep Odoo's behaviour."""
        raw = POISON_REPORT.format(to="nobody@elsewhere.test", msg_id=self.new_msg_id())
        with self.assertRaises(LookupError):
            self.env["mail.thread"].sudo().message_process(None, raw)

    def test_reprocess(self):
        ticket = self.process(self._poison(self.new_msg_id()))
        with self.assertRaises(UserError):
            ticket.with_user(self.user_hd_agent).action_reprocess_email()
        with self.assertRaises(UserError):
            ticket.with_user(self.user_hd_manager).action_reprocess_email()
        self.assertTrue(ticket.active)
        self.assertTrue(ticket.email_message_id, "still guards against a second copy")
        # Once the cause is fixed (here: the original is replaced by a clean
        # copy), reprocessing creates the ticket and archives the placeholder.
        clean = self.build_email(subject="Printer jammed", msg_id=self.new_msg_id())
        ticket.original_email_id.raw = clean.encode()
        ticket.with_user(self.user_hd_manager).action_reprocess_email()
        self.assertFalse(ticket.active)
        created = self.env["helpdesk.ticket"].search([("name", "=", "Printer jammed")])
        self.assertEqual(created.team_id, self.team)
        self.assertFalse(created.is_unprocessable)
