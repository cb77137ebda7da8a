from odoo.tests import BaseCase, tagged

from ..tools import suppresses_auto_response
from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestAutoResponseSuppressValues(BaseCase):
    def test_values_as_microsoft_defines_them(self):
        for value in ("All", "all", "OOF", "AutoReply", "DR, OOF", " rn ,autoreply "):
            with self.subTest(value=value):
                self.assertTrue(suppresses_auto_response(value))
        for value in ("", "None", "DR", "NDR", "RN", "NRN", "DR, NDR, RN, NRN", "Al"):
            with self.subTest(value=value):
                self.assertFalse(suppresses_auto_response(value))


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestHeaderSemantics(HelpdeskIntakeCommon):
    def _deliver_from(self, local, **kwargs):
        email = f"{local}@customer.test"
        with self.mock_mail_gateway():
            ticket = self.deliver(email_from=f'"{local}" <{email}>', **kwargs)
        self.assertEqual(len(ticket), 1, "the ticket is created in any case")
        return ticket, email

    # ------------------------------------------------------------
    # X-Auto-Response-Suppress
    # ------------------------------------------------------------

    def test_auto_response_suppress_stops_acknowledgement(self):
        for index, value in enumerate(("All", "OOF", "AutoReply", "DR, RN, OOF")):
            with self.subTest(value=value):
                ticket, email = self._deliver_from(
                    f"suppress{index}",
                    subject=f"Suppress {value}",
                    headers={"X-Auto-Response-Suppress": value},
                )
                self.assertFalse(self.ack_mails(ticket, email))
                self.assertTrue(ticket.from_automated_email)

    def test_auto_response_suppress_of_receipts_only_is_acknowledged(self):
        for index, value in enumerate(("None", "DR", "NDR", "RN, NRN", "dr,ndr")):
            with self.subTest(value=value):
                ticket, email = self._deliver_from(
                    f"receipts{index}",
                    subject=f"Receipts {value}",
                    headers={"X-Auto-Response-Suppress": value},
                )
                self.assertEqual(len(self.ack_mails(ticket, email)), 1)
                self.assertFalse(ticket.from_automated_email)

    # ------------------------------------------------------------
    # X-Loop
    # ------------------------------------------------------------

    def test_automated_emails_carry_x_loop(self):
        with self.mock_mail_gateway():
            ticket = self.deliver(subject="Stamp me")
        (ack,) = self.ack_mails(ticket)
        self.assertEqual(ack["headers"].get("X-Loop"), self.alias_a)

    def test_x_loop_of_own_address_is_a_loop(self):
        """Our own acknowledgement coming back (a mailbox forwarding
        everything to the alias of another team) is not answered."""
        for index, address in enumerate(
            (self.alias_b, self.alias_a.upper(), f"Billing <{self.alias_b}>")
        ):
            with self.subTest(x_loop=address):
                ticket, email = self._deliver_from(
                    f"looped{index}",
                    subject=f"Your request {index} was received",
                    headers={"X-Loop": address},
                )
                self.assertFalse(self.sent_to(email))
                self.assertTrue(ticket.from_automated_email)
                self.assertIn("loop: X-Loop names", ticket.intake_trace)

    def test_x_loop_of_other_address_is_not_a_loop(self):
        ticket, email = self._deliver_from(
            "listed", subject="Via a list", headers={"X-Loop": "list@lists.test"}
        )
        self.assertEqual(len(self.ack_mails(ticket, email)), 1)

    # ------------------------------------------------------------
    # Reply-To
    # ------------------------------------------------------------

    def test_reply_to_is_the_customer(self):
        """A person writing from one mailbox and asking for answers in
        another one: the ticket and its emails are for the other one."""
        with self.mock_mail_gateway():
            ticket = self.deliver(
                email_from='"Shared Desk" <desk@customer.test>',
                subject="Answer me at home",
                headers={"Reply-To": '"Rita Home" <rita@home.test>'},
            )
        self.assertEqual(ticket.partner_email, "rita@home.test")
        self.assertEqual(ticket.partner_id.name, "Rita Home")
        self.assertFalse(ticket.customer_unverified)
        self.assertEqual(len(self.ack_mails(ticket, "rita@home.test")), 1)
        self.assertFalse(self.sent_to("desk@customer.test"))
        self.assertIn("customer: Reply-To", ticket.intake_trace)

    def test_reply_to_equal_to_from_changes_nothing(self):
        ticket = self.deliver(
            subject="Same", headers={"Reply-To": "CHUCK@customer.test"}
        )
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertFalse(ticket.customer_unverified)

    def test_reply_to_of_existing_contact_is_unverified(self):
        """Naming someone in Reply-To proves nothing: the ticket is theirs
        only once they open the link of the acknowledgement."""
        ticket = self.deliver(
            email_from='"Mallory" <mallory@evil.test>',
            subject="About my account",
            headers={"Reply-To": self.customer.email},
        )
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertTrue(ticket.customer_unverified)
        self.assertNotIn(self.customer, ticket.message_partner_ids)

    def test_reply_to_of_robots_lists_and_own_addresses_ignored(self):
        cases = [
            (
                "mailing list",
                {"Reply-To": "users@lists.test", "List-Id": "<users.lists.test>"},
            ),
            (
                "list post",
                {
                    "Reply-To": "users@lists.test",
                    "List-Post": "<mailto:users@lists.test>",
                },
            ),
            ("robot", {"Reply-To": "noreply@customer.test"}),
            ("own alias", {"Reply-To": self.alias_b}),
        ]
        for index, (label, headers) in enumerate(cases):
            with self.subTest(case=label):
                email = f"member{index}@customer.test"
                ticket = self.deliver(
                    email_from=email, subject=f"Reply-To {label}", headers=headers
                )
                self.assertEqual(
                    ticket.partner_email, email, "the sender is the customer"
                )
                self.assertIn("ignored", ticket.intake_trace)
