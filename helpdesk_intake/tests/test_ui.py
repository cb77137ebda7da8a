from odoo.tests import HttpCase, tagged

from .common import build_email


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestBackendUi(HttpCase):
    """The back office as agents use it: overview, kanban with stars and
    quick create, ticket form with its email and its customer's tickets, team
    form with its channel sections and its visibility, contact with its
    tickets and SLA policies."""

    def test_backend_tour(self):
        domain = self.env["mail.alias.domain"].search([], limit=1) or self.env[
            "mail.alias.domain"
        ].create({"name": "tour.example.com"})
        team = self.env["helpdesk.team"].create(
            {
                "name": "Tour Support",
                "alias_name": "tour-support",
                "alias_domain_id": domain.id,
                "member_ids": [(6, 0, self.env.ref("base.user_admin").ids)],
            }
        )
        self.env["helpdesk.ticket"].create(
            {"name": "Tour low ticket", "team_id": team.id, "priority": "0"}
        )
        raw = build_email(
            to=team.alias_email,
            email_from="Pat <pat@customer.test>",
            msg_id="<tour-1@customer.test>",
            subject="Tour printer on fire",
            body="Help, smoke comes out of the printer.",
        )
        self.env["mail.thread"].message_process(None, raw)
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Tour printer on fire")]
        )
        ticket.priority = "3"
        pat = ticket.partner_id
        self.env["helpdesk.ticket"].create(
            [
                {
                    "name": "Tour earlier request",
                    "team_id": team.id,
                    "partner_id": pat.id,
                },
                {
                    "name": "Tour solved request",
                    "team_id": team.id,
                    "partner_id": pat.id,
                    "stage_id": self.env.ref("helpdesk_intake.stage_solved").id,
                },
            ]
        )
        self.env["helpdesk.sla"].create(
            {
                "name": "Tour Pat policy",
                "team_id": team.id,
                "stage_id": self.env.ref("helpdesk_intake.stage_solved").id,
                "time_hours": 8,
                "partner_ids": [(6, 0, pat.ids)],
            }
        )
        self.start_tour("/odoo", "helpdesk_intake_backend", login="admin")
        self.assertEqual(ticket.priority, "2", "the star clicked on the card was saved")
        phone = self.env["helpdesk.ticket"].search([("name", "=", "Tour phone call")])
        self.assertEqual(phone.partner_id, pat)
        self.assertEqual(phone.user_id, self.env.ref("base.user_admin"))
        self.assertEqual(phone.team_id, team)
        self.assertEqual(phone.intake_channel, "manual")
        self.assertEqual(
            team.privacy_visibility,
            "invited_internal",
            "the visibility chosen in the team form was saved",
        )
        self.start_tour(
            f"/odoo/res.partner/{pat.id}",
            "helpdesk_intake_customer_history",
            login="admin",
        )
