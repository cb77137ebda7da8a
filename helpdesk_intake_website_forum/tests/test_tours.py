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

    def test_visitor_searches_then_sees_a_suggestion_on_the_form(self):
        self.start_tour(f"{self.team.website_url}/help", "helpdesk_help_deflection")
        ticket = self.env["helpdesk.ticket"].search([("team_id", "=", self.team.id)])
        self.assertEqual(ticket.name, "My lamp arrived damaged")
        counters = self.env["helpdesk.help.deflection"].search(
            [("team_id", "=", self.team.id)]
        )
        self.assertEqual(counters.shown_count, 1)
        self.assertEqual(counters.clicked_count, 1)
        self.assertTrue(counters.ticket_date, "sent after opening the answer")
