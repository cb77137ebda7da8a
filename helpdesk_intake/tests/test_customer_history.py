from odoo.tests import Form, tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestCustomerHistory(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.company = Partner.create({"name": "History Corp", "is_company": True})
        cls.contact = Partner.create(
            {"name": "Hilda History", "parent_id": cls.company.id}
        )
        cls.colleague = Partner.create(
            {"name": "Harold History", "parent_id": cls.company.id}
        )
        cls.stranger = Partner.create({"name": "Stranger"})

    def test_ticket_counts_on_contacts(self):
        self.make_tickets(
            [
                {"name": "Open 1", "partner_id": self.contact.id},
                {"name": "Open 2", "partner_id": self.colleague.id},
                {
                    "name": "Closed",
                    "partner_id": self.contact.id,
                    "stage_id": self.stage_solved.id,
                },
                {"name": "Other", "partner_id": self.stranger.id},
            ]
        )
        partners = (self.company | self.contact | self.colleague).with_user(
            self.user_hd_agent
        )
        self.assertEqual(partners.mapped("ticket_count"), [3, 2, 1])
        self.assertEqual(partners.mapped("open_ticket_count"), [2, 1, 1])
        action = partners[1].action_view_tickets()
        found = self.env["helpdesk.ticket"].search(action["domain"])
        self.assertEqual(set(found.mapped("name")), {"Open 1", "Closed"})

    def test_counts_cost_one_grouped_query(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}"} for i in range(30)]
        )
        self.make_tickets([{"name": "T", "partner_id": p.id} for p in partners])
        partners.invalidate_recordset()
        with self.assertQueryCount(__system__=3):
            partners.mapped("ticket_count")

    def test_other_tickets_of_the_customer(self):
        first, second, third = self.make_tickets(
            [
                {"name": "First", "partner_id": self.contact.id},
                {"name": "Second", "partner_id": self.colleague.id},
                {"name": "Third", "partner_id": self.stranger.id},
            ]
        )
        self.assertEqual(first.partner_ticket_count, 1)
        self.assertEqual(third.partner_ticket_count, 0)
        action = first.with_user(self.user_hd_agent).action_view_partner_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), second)

    def test_sla_policies_on_contact(self):
        Sla = self.env["helpdesk.sla"]
        both = Sla.create(
            {
                "name": "Corp 4h",
                "team_id": self.team.id,
                "stage_id": self.stage_solved.id,
                "time_hours": 4,
                "partner_ids": [(6, 0, (self.company | self.contact).ids)],
            }
        )
        Sla.create(
            {
                "name": "Everyone",
                "team_id": self.team.id,
                "stage_id": self.stage_solved.id,
                "time_hours": 8,
            }
        )
        contact = self.contact.with_user(self.user_hd_agent)
        self.assertEqual(contact.sla_policy_count, 1, "a policy counts once")
        self.assertEqual(self.colleague.sla_policy_count, 1, "the company's")
        self.assertEqual(self.stranger.sla_policy_count, 0)
        action = contact.action_view_sla_policies()
        self.assertEqual(Sla.search(action["domain"]), both)

    def test_quick_create(self):
        self.team.assign_method = "manual"
        view = self.env.ref("helpdesk_intake.helpdesk_ticket_view_form_quick_create")
        Ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_hd_agent)
            .with_context(default_team_id=self.team.id, default_intake_channel="manual")
        )
        with Form(Ticket, view=view) as form:
            form.name = "Phone: printer jammed"
            form.partner_id = self.contact
            form.user_id = self.user_hd_agent2
        ticket = form.record
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.user_id, self.user_hd_agent2)
        self.assertEqual(ticket.partner_email, self.contact.email or False)
        self.assertEqual(ticket.intake_channel, "manual")
        self.assertTrue(ticket.ref)
