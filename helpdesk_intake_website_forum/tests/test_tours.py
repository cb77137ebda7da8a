from odoo.tests import tagged

from .common import HelpdeskForumCommon


@tagged("post_install", "-at_install")
class TestTours(HelpdeskForumCommon):
    def test_visitor_contacts_the_team_from_a_question(self):
        question = self.ask("Lamp: None of the bulbs work, what's wrong?")
        self.start_tour(question.website_url, "helpdesk_forum_contact_us")
        ticket = self.env["helpdesk.ticket"].search([("team_id", "=", self.team.id)])
        self.assertEqual(ticket.name, question.name)
        self.assertEqual(ticket.partner_id.email, "fiona.forum@example.com")
        self.assertEqual(ticket.intake_channel, "website")
