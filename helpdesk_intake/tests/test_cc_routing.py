from odoo.tests import tagged
from odoo.tools import email_normalize

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestCcAndRouting(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = cls.env["res.partner"].create(
            {"name": "Kim Colleague", "email": "kim@customer.test"}
        )
        # a sender the helpdesk knows brings the contacts they Cc (strangers
        # do not: see test_security_mail)
        cls.team.message_subscribe(cls.customer.ids)

    def test_cc_kept_suggested_and_followers(self):
        # a customer the team knows (a follower of the team) brings their Cc
        self.team.message_subscribe(self.customer.ids)
        cc = '"Kim Colleague" <kim@customer.test>, "Una Unknown" <una@unknown.test>'
        ticket = self.deliver(subject="Shared request", cc=cc)
        self.assertEqual(len(ticket), 1)
        cc_emails = {email_normalize(e) for e in ticket.email_cc.split(",")}
        self.assertEqual(cc_emails, {"kim@customer.test", "una@unknown.test"})
        # known partners in Cc follow the ticket, unknown addresses create no contact
        self.assertIn(self.colleague, ticket.message_partner_ids)
        self.assertIn(self.customer, ticket.message_partner_ids)
        self.assertFalse(
            self.env["res.partner"].search(
                [("email_normalized", "=", "una@unknown.test")]
            )
        )
        suggested = ticket._message_get_suggested_recipients(reply_discussion=True)
        suggested_emails = {
            email_normalize(r["email"]) for r in suggested if r["email"]
        }
        self.assertIn("una@unknown.test", suggested_emails)

    def test_cc_merged_on_reply(self):
        msg_id = self.new_msg_id()
        ticket = self.deliver(subject="Cc grows", cc="una@unknown.test", msg_id=msg_id)
        self.deliver(
            subject="Re: Cc grows",
            cc="victor@unknown.test",
            in_reply_to=msg_id,
            references=msg_id,
        )
        cc_emails = {email_normalize(e) for e in ticket.email_cc.split(",")}
        self.assertEqual(cc_emails, {"una@unknown.test", "victor@unknown.test"})

    def test_to_alias_a_cc_alias_b_one_ticket(self):
        tickets = self.deliver(
            subject="Two teams addressed", to=self.alias_a, cc=self.alias_b
        )
        self.assertEqual(len(tickets), 1)
        self.assertEqual(tickets.team_id, self.team)
        self.assertFalse(self.team_b.ticket_ids)

    def test_to_alias_b_cc_alias_a_one_ticket(self):
        tickets = self.deliver(
            subject="Two teams reversed", to=self.alias_b, cc=self.alias_a
        )
        self.assertEqual(len(tickets), 1)
        self.assertEqual(tickets.team_id, self.team_b)

    def test_both_aliases_in_to_one_ticket(self):
        tickets = self.deliver(
            subject="Both in To", to=f"{self.alias_b}, {self.alias_a}"
        )
        self.assertEqual(len(tickets), 1)
        self.assertIn(tickets.team_id, self.team | self.team_b)

    def test_same_message_id_twice(self):
        raw = self.build_email(subject="Sent twice")
        first = self.process(raw)
        again = self.process(raw)
        self.assertEqual(len(first), 1)
        self.assertFalse(again)
        self.assertEqual(
            len(first.message_ids.filtered(lambda m: m.message_type == "email")), 1
        )
