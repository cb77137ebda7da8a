from odoo.tests import HttpCase, tagged

from .common import build_email


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestBackendUi(HttpCase):
    """The back office as agents use it: overview, kanban with stars, ticket
    form with its email, team form with its channel sections."""

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
        self.start_tour("/odoo", "helpdesk_intake_backend", login="admin")
        self.assertEqual(ticket.priority, "2", "the star clicked on the card was saved")
