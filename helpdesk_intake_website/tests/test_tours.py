from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import HOST, ChromeBrowser

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestTours(HelpdeskWebsiteCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_team = cls.env["helpdesk.team"].create(
            {
                "name": "Tour Support",
                "member_ids": [(6, 0, cls.agent.ids)],
                "use_website_form": True,
            }
        )

    def test_visitor_submits_a_ticket(self):
        self.start_tour("/helpdesk/tour-support", "helpdesk_website_form_visitor")
        ticket = self.tickets(self.tour_team)
        self.assertEqual(ticket.name, "My order never arrived")
        self.assertEqual(ticket.partner_id.email, "tina.tourist@example.com")
        self.assertEqual(ticket.intake_channel, "website")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(attachment.name, "receipt.txt")

    def test_server_errors_show_next_to_the_field(self):
        self.env["ir.config_parameter"].set_param(
            "helpdesk_intake_website.max_attachment_size", 0
        )
        self.start_tour("/helpdesk/tour-support", "helpdesk_website_form_server_error")
        self.assertFalse(self.tickets(self.tour_team))


OFFLINE_RULES = f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}"


def _without_internet(spawn, launched):
    """Chrome's launcher, with every host but the test server unreachable;
    ``launched`` collects the command lines."""

    def spawn_offline(self, cmd):
        cmd = [*cmd[:-1], OFFLINE_RULES, cmd[-1]]
        launched.append(cmd)
        return spawn(self, cmd)

    return spawn_offline


@tagged("post_install", "-at_install")
class TestToursOffline(HelpdeskWebsiteCommon):
    """The website editor on the team page, in a browser that reaches no other
    host than Odoo: the tour fails on any error in the browser console. (The
    editor tour runs only here: offline, it checks all that it checks online.)"""

    def test_editor_adds_a_field_without_internet(self):
        team = self.env["helpdesk.team"].create(
            {"name": "Tour Support", "use_website_form": True}
        )
        url = self.env["website"].get_client_action_url(
            team.website_url, mode_edit=True
        )
        launched = []
        offline = _without_internet(ChromeBrowser._spawn_chrome, launched)
        with patch.object(ChromeBrowser, "_spawn_chrome", offline):
            self.start_tour(url, "helpdesk_website_form_editor", login="admin")
        self.assertTrue(launched, "the tour ran in the offline browser")
        self.assertIn("Order Number", team.website_page_id.view_id.arch)
        self.assertIn("Order Number", team._website_form_required_fields())
        self.assertNotIn(
            "Order Number", self.page.view_id.arch, "other teams' forms are untouched"
        )
