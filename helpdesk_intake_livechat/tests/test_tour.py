import re

from odoo.tests import tagged

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestTicketTour(HelpdeskLivechatCase):
    def test_ticket_from_website_chat(self):
        # The widget is the website's: without website_livechat there is no
        # page for the visitor to chat from.
        if "website" not in self.env or "channel_id" not in self.env["website"]._fields:
            self.skipTest("website_livechat is not installed")
        self.env["website"].get_current_website().channel_id = self.livechat_channel

        self.start_tour("/", "helpdesk_intake_livechat_visitor_tour")
        channel = self.env["discuss.channel"].search(
            [("livechat_channel_id", "=", self.livechat_channel.id)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(channel.livechat_operator_id, self.operator.partner_id)
        # The operator's browser opens now: it must not replay the notifications
        # sent before (in a test they all stay in the bus table), such as the
        # one of the conversation's creation, when it was not yet pinned.
        self.env["bus.bus"].sudo().search([]).unlink()
        url = f"/odoo/discuss?active_id=discuss.channel_{channel.id}"
        self.warm_assets(url, self.operator.login)

        self.start_tour(
            url,
            "helpdesk_intake_livechat_operator_tour",
            login=self.operator.login,
        )
        ticket = self.tickets_of(channel)
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "Printer broken")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.intake_channel, "livechat")
        self.assertIn(
            "My printer prints &lt;b&gt;blank&lt;/b&gt; pages", ticket.description
        )
        self.assertIn("Sorry about that, let me open a ticket.", ticket.description)
        self.assertIn(self.operator.name, ticket.description)
        self.assertNotIn("/ticket", ticket.description)

    def test_operator_tools(self):
        visitor = self.user_portal.partner_id
        printer = self.env["helpdesk.ticket"].create(
            {"name": "Printer jams", "team_id": self.team.id, "partner_id": visitor.id}
        )
        channel = self.open_session(self.user_portal.login)
        self.post_as_current_session(channel, "My scanner is broken\nsince Monday")
        self.env["bus.bus"].sudo().search([]).unlink()
        url = f"/odoo/discuss?active_id=discuss.channel_{channel.id}"
        self.warm_assets(url, self.operator.login)

        self.start_tour(
            url,
            "helpdesk_intake_livechat_operator_tools_tour",
            login=self.operator.login,
        )
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.name, "My scanner is broken")
        self.assertEqual(ticket.partner_id, visitor)
        self.assertFalse(self.tickets_of(channel) & printer)

    def warm_assets(self, url, login):
        """Build the page's asset bundles before the browser asks for them: a
        bundle built during the tour holds the test cursor longer than the
        web client's other requests wait for it."""
        self.authenticate(login, login)
        page = self.url_open(url, timeout=60).text
        for asset in re.findall(r'(?:src|href)="(/web/assets/[^"]+)"', page):
            self.url_open(asset, timeout=120)
