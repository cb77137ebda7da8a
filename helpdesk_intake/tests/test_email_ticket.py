from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestEmailToTicket(HelpdeskIntakeCommon):
    def test_email_creates_ticket(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(
            subject="Printer does not print",
            body="Hello,\nmy printer does not print anymore.\nChuck",
            msg_id=msg_id,
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "Printer does not print")
        self.assertIn("my printer does not print anymore", ticket.description)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.partner_email, "chuck@customer.test")
        self.assertEqual(ticket.intake_channel, "email")
        self.assertEqual(ticket.priority, "0")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.company_id, self.company_admin)
        self.assertEqual(ticket.stage_id, self.team.stage_ids[0])
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertFalse(ticket.is_closed)
        self.assertFalse(ticket.user_id, "manual assignment: nobody gets the ticket")
        self.assertTrue(ticket.ref)
        self.assertEqual(ticket.display_name, f"Printer does not print (#{ticket.ref})")
        self.assertIn(self.customer, ticket.message_partner_ids)

        message = self.incoming_message(msg_id)
        self.assertEqual(len(message), 1)
        self.assertEqual(
            (message.model, message.res_id), ("helpdesk.ticket", ticket.id)
        )
        self.assertEqual(message.message_type, "email")
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(
            message.subtype_id, self.env.ref("helpdesk_intake.mt_ticket_new")
        )
        self.assertIn("my printer does not print anymore", message.body)

    def test_email_ticket_customer_info(self):
        """Name and phone of the customer are copied on the ticket like for a
        ticket created by hand (and the ticket is found by the customer's name)."""
        manual = self.make_tickets(
            [{"name": "By hand", "partner_id": self.customer.id}]
        )
        self.assertEqual(manual.partner_name, "Chuck Customer")
        self.assertEqual(manual.partner_phone, "+32 470 12 34 56")
        ticket = self.deliver(subject="By email")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.partner_name, "Chuck Customer")
        self.assertEqual(ticket.partner_phone, "+32 470 12 34 56")
        found = self.env["helpdesk.ticket"].name_search("Chuck Customer", limit=None)
        self.assertIn(ticket.id, [ticket_id for ticket_id, _name in found])

    def test_email_refs_are_unique(self):
        first = self.deliver(subject="First request")
        second = self.deliver(subject="Second request")
        self.assertTrue(first.ref and second.ref)
        self.assertNotEqual(first.ref, second.ref)

    def test_email_html_body_sanitized(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(
            msg_id=msg_id,
            subject="Screen stays black",
            body="The screen stays black.",
            html=(
                "<p>The screen stays <b>black</b>.</p>"
                "<script>alert('pwned')</script>"
                '<p><img src="x" onerror="alert(1)">Thanks</p>'
            ),
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "Screen stays black")
        self.assertIn("<b>black</b>", ticket.description)
        self.assertIn("Thanks", ticket.description)
        self.assertNotIn("<script", ticket.description)
        self.assertNotIn("alert('pwned')", ticket.description)
        self.assertNotIn("onerror", ticket.description)
        message = self.incoming_message(msg_id)
        self.assertNotIn("<script", message.body)
        self.assertIn("<b>black</b>", message.body)

    def test_email_attachments_in_chatter(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(
            msg_id=msg_id,
            subject="Paper jam with log",
            attachments=[
                ("error.log", b"E: paper jam\n", "text/plain"),
                ("photo.png", b"\x89PNG\r\n\x1a\nfake", "image/png"),
            ],
        )
        self.assertEqual(len(ticket), 1)
        message = self.incoming_message(msg_id)
        self.assertEqual(message.res_id, ticket.id)
        self.assertEqual(message.message_type, "email")
        self.assertEqual(
            sorted(message.attachment_ids.mapped("name")), ["error.log", "photo.png"]
        )
        for attachment in message.attachment_ids:
            self.assertEqual(
                (attachment.res_model, attachment.res_id),
                ("helpdesk.ticket", ticket.id),
            )
        log = message.attachment_ids.filtered(lambda a: a.name == "error.log")
        self.assertEqual(log.raw, b"E: paper jam\n")

    def test_email_unknown_sender_creates_partner(self):
        Partner = self.env["res.partner"]
        self.assertFalse(
            Partner.search([("email_normalized", "=", "nora@newcorp.test")])
        )
        ticket = self.deliver(
            email_from='"Nora Newbie" <nora@newcorp.test>', subject="First contact"
        )
        partner = Partner.search([("email_normalized", "=", "nora@newcorp.test")])
        self.assertEqual(len(partner), 1)
        self.assertEqual(ticket.partner_id, partner)
        self.assertEqual(partner.name, "Nora Newbie")
        self.assertEqual(ticket.partner_email, "nora@newcorp.test")
        message = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, partner)

    def test_email_known_sender_not_duplicated(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        before = Partner.search_count(
            [("email_normalized", "=", "chuck@customer.test")]
        )
        ticket = self.deliver(
            email_from="CHUCK@Customer.test", subject="Case insensitive"
        )
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(
            Partner.search_count([("email_normalized", "=", "chuck@customer.test")]),
            before,
        )

    def test_email_team_company_and_first_stage_from_alias(self):
        ticket = self.deliver(to=self.alias_c2, subject="Second company request")
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team_c2)
        self.assertEqual(ticket.company_id, self.company_2)
        # first stage of the team by sequence, not by creation
        self.assertEqual(ticket.stage_id, self.stage_c2_intake)
        self.assertEqual(ticket.intake_channel, "email")

    def test_email_other_team_alias(self):
        ticket = self.deliver(to=self.alias_b, subject="Billing question")
        self.assertEqual(ticket.team_id, self.team_b)
        self.assertEqual(ticket.stage_id, self.team_b.stage_ids[0])
