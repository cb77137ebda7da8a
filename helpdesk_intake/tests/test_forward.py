from odoo.tests import tagged

from .common import (
    FORWARD_GMAIL_BODY,
    FORWARD_OUTLOOK_BODY,
    HelpdeskIntakeCommon,
)


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestForward(HelpdeskIntakeCommon):
    def _jane(self):
        return self.env["res.partner"].search(
            [("email_normalized", "=", "jane@customer.test")]
        )

    def _assert_jane_ticket(self, ticket, msg_id):
        self.assertEqual(len(ticket), 1)
        jane = self._jane()
        self.assertEqual(len(jane), 1, "the original sender becomes a contact")
        self.assertEqual(ticket.partner_id, jane)
        self.assertEqual(ticket.partner_email, "jane@customer.test")
        self.assertEqual(jane.name, "Jane Customer")
        self.assertNotEqual(ticket.partner_id, self.partner_employee)
        self.assertIn(jane, ticket.message_partner_ids)
        # the forward itself is still the employee's message
        self.assertEqual(self.incoming_message(msg_id).author_id, self.partner_employee)

    def test_forward_gmail_style(self):
        msg_id = self.new_msg_id()
        subject = "Printer prints blank pages"
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from=self.user_employee.email_formatted,
                subject=f"Fwd: {subject}",
                body=FORWARD_GMAIL_BODY.format(
                    customer_email="jane@customer.test", subject=subject
                ),
                msg_id=msg_id,
            )
        self._assert_jane_ticket(ticket, msg_id)
        self.assertEqual(len(self.ack_mails(ticket, "jane@customer.test")), 1)
        self.assertFalse(self.ack_mails(ticket, self.user_employee.email))

    def test_forward_outlook_style(self):
        msg_id = self.new_msg_id()
        subject = "Printer prints blank pages"
        ticket = self.deliver(
            email_from=self.user_employee.email_formatted,
            subject=f"FW: {subject}",
            body=FORWARD_OUTLOOK_BODY.format(
                customer_email="jane@customer.test", subject=subject
            ),
            msg_id=msg_id,
        )
        self._assert_jane_ticket(ticket, msg_id)

    def test_forward_gmail_html(self):
        msg_id = self.new_msg_id()
        html = (
            "<div>FYI</div><br>"
            '<div class="gmail_quote"><div class="gmail_attr">'
            "---------- Forwarded message ---------<br>"
            'From: <strong class="gmail_sendername">Jane Customer</strong> '
            '<span dir="auto">&lt;<a href="mailto:jane@customer.test">'
            "jane@customer.test</a>&gt;</span><br>"
            "Date: Mon, 9 Mar 2026 at 17:02<br>Subject: Blank pages<br>"
            "To: &lt;employee@example.com&gt;<br></div><br><br>"
            "<div>Hello, our printer prints blank pages.</div></div>"
        )
        ticket = self.deliver(
            email_from=self.user_employee.email_formatted,
            subject="Fwd: Blank pages",
            body="FYI (see the forwarded message)",
            html=html,
            msg_id=msg_id,
        )
        self._assert_jane_ticket(ticket, msg_id)

    def test_forward_by_customer_keeps_sender(self):
        """Only employees forward on behalf of customers: a customer quoting a
        forward stays the customer of the ticket."""
        ticket = self.deliver(
            subject="Fwd: my colleague's issue",
            body=FORWARD_GMAIL_BODY.format(
                customer_email="jane@customer.test", subject="x"
            ),
        )
        self.assertEqual(ticket.partner_id, self.customer)

    def test_employee_email_without_forward(self):
        ticket = self.deliver(
            email_from=self.user_employee.email_formatted,
            subject="Internal request",
            body="Please reset the meeting room screen.",
        )
        self.assertEqual(ticket.partner_id, self.partner_employee)
