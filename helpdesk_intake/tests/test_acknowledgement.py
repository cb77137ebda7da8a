from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon

AUTO_REPLY_HEADERS = {
    "Auto-Submitted": "auto-replied",
    "X-Auto-Response-Suppress": "All",
}


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestAcknowledgement(HelpdeskIntakeCommon):
    def _assert_ack(self, ticket, email):
        acks = self.ack_mails(ticket, email)
        self.assertEqual(len(acks), 1, f"exactly one acknowledgement to {email}")
        ack = acks[0]
        for header, value in AUTO_REPLY_HEADERS.items():
            self.assertEqual(ack["headers"].get(header), value, header)
        self.assertIn(ticket.team_id.alias_id.alias_full_name, ack["reply_to"])
        self.assertIn(ticket.ref, ack["body"])
        return ack

    def test_ack_sent_once_to_customer(self):
        with self.mock_mail_gateway():
            ticket = self.deliver(subject="Need a new badge")
        self.assertEqual(len(ticket), 1)
        self._assert_ack(ticket, "chuck@customer.test")
        self.assertEqual(
            len(self.sent_to("chuck@customer.test")),
            1,
            "nothing else is sent to the customer",
        )
        # outgoing mail record and chatter trace
        mail = self._new_mails.filtered(lambda m: self.customer in m.recipient_ids)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.model, "helpdesk.ticket")
        self.assertEqual(mail.res_id, ticket.id)
        ack_message = ticket.message_ids.filtered(
            lambda m: m.message_type == "auto_comment"
        )
        self.assertEqual(len(ack_message), 1)
        self.assertEqual(ack_message.partner_ids, self.customer)

    def test_ack_to_new_customer(self):
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from='"Nina New" <nina@newcorp.test>', subject="Hello"
            )
        self._assert_ack(ticket, "nina@newcorp.test")

    def test_ack_not_sent_for_automatic_emails(self):
        cases = [
            ("auto-submitted", {"Auto-Submitted": "auto-replied"}, None),
            ("auto-generated", {"Auto-Submitted": "auto-generated"}, None),
            ("precedence bulk", {"Precedence": "bulk"}, None),
            ("precedence junk", {"Precedence": "junk"}, None),
            ("precedence list", {"Precedence": "list"}, None),
            ("suppress", {"X-Auto-Response-Suppress": "All"}, None),
            ("x-autoreply", {"X-Autoreply": "yes"}, None),
            ("x-autorespond", {"X-Autorespond": "Out of office"}, None),
            (
                "list-unsubscribe",
                {"List-Unsubscribe": "<mailto:leave@list.test>"},
                None,
            ),
            ("empty return-path", {}, "<>"),
        ]
        for index, (label, headers, return_path) in enumerate(cases):
            email = f"robot{index}@customer.test"
            with self.subTest(case=label), self.mock_mail_gateway():
                ticket = self.deliver(
                    email_from=f'"Robot {index}" <{email}>',
                    subject=f"Automatic {label}",
                    headers=headers,
                    return_path=return_path,
                )
                self.assertEqual(len(ticket), 1, "the ticket is still created")
                self.assertEqual(ticket.partner_email, email)
                self.assertFalse(self.sent_to(email), "no acknowledgement")
                self.assertFalse(
                    ticket.message_ids.filtered(
                        lambda m: m.message_type == "auto_comment"
                    )
                )

    def test_ack_sent_for_human_headers(self):
        """Headers saying 'no' or ordinary precedence do not block the ack."""
        with self.mock_mail_gateway():
            ticket = self.deliver(
                subject="Human after all",
                headers={"Auto-Submitted": "no", "Precedence": "normal"},
            )
        self._assert_ack(ticket, "chuck@customer.test")

    def test_ack_not_sent_to_automated_senders(self):
        for local in ("postmaster", "no-reply", "noreply", "do-not-reply"):
            email = f"{local}@vendor.test"
            with self.subTest(sender=email), self.mock_mail_gateway():
                ticket = self.deliver(email_from=email, subject=f"Notice from {local}")
                self.assertEqual(len(ticket), 1, "the ticket is still created")
                self.assertFalse(self.sent_to(email))

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_ack_not_sent_to_mailer_daemon(self):
        """mailer-daemon@ is a bounce for Odoo's mail gateway (routed as a
        bounce, so no ticket there); a ticket keyed in for such an address is
        not acknowledged either."""
        with self.mock_mail_gateway():
            self.deliver(
                email_from="MAILER-DAEMON <mailer-daemon@vendor.test>", subject="Oops"
            )
            tickets = self.make_tickets(
                [
                    {"name": f"From {email}", "partner_email": email}
                    for email in (
                        "mailer-daemon@vendor.test",
                        "MAILER-DAEMON@other.test",
                        "noreply+billing@vendor.test",
                    )
                ]
            )
            human = self.make_tickets(
                [{"name": "Human", "partner_email": "replyhere@vendor.test"}]
            )
        self.assertEqual(len(tickets), 3)
        for email in tickets.mapped("partner_email"):
            self.assertFalse(self.sent_to(email), email)
        self.assertEqual(len(self.ack_mails(human, "replyhere@vendor.test")), 1)

    def test_ack_not_sent_to_own_alias(self):
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from=f'"Intake Billing" <{self.alias_b}>',
                to=self.alias_a,
                subject="Forwarded by the other team",
            )
        self.assertEqual(len(ticket), 1, "the ticket is still created")
        self.assertEqual(ticket.team_id, self.team)
        self.assertFalse(self.sent_to(self.alias_b))

    def test_ack_disabled_on_team(self):
        self.team.with_user(self.user_hd_manager).use_acknowledgement = False
        with self.mock_mail_gateway():
            ticket = self.deliver(subject="No ack please")
        self.assertEqual(len(ticket), 1)
        self.assertFalse(self.sent_to("chuck@customer.test"))

    def test_ack_manual_ticket(self):
        with self.mock_mail_gateway():
            ticket = (
                self.env["helpdesk.ticket"]
                .with_user(self.user_hd_agent)
                .create(
                    {
                        "name": "Called about the invoice",
                        "team_id": self.team.id,
                        "partner_id": self.customer.id,
                        "intake_channel": "manual",
                    }
                )
            )
        self._assert_ack(ticket.sudo(), "chuck@customer.test")

    def test_no_ack_manual_ticket_without_email(self):
        partner = self.env["res.partner"].create({"name": "No Mail Nick"})
        with self.mock_mail_gateway():
            ticket = self.make_tickets(
                [{"name": "Phone call", "partner_id": partner.id}]
            )
        self.assertFalse(self._mails)
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        )
