from markupsafe import Markup

from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestSearchTickets(HelpdeskLivechatCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["helpdesk.ticket"]
        cls.printer = Ticket.create(
            {
                "name": "Printer jams on page two",
                "team_id": cls.team.id,
                "partner_id": cls.customer.id,
            }
        )
        cls.invoice = Ticket.create(
            {
                "name": "Invoice address wrong",
                "team_id": cls.team_b.id,
                "partner_name": "Zelda Zimmer",
                "partner_email": "zelda@zimmer.test",
            }
        )
        # Another company's ticket: out of the operator's reach.
        cls.hidden = Ticket.create(
            {"name": "Printer of company two", "team_id": cls.team_c2.id}
        )

    def setUp(self):
        super().setUp()
        self.channel = self.open_session()
        self.authenticate(self.operator.login, self.operator.login)

    def search(self, body, **kwargs):
        with self.capture_transient_messages() as sent:
            self.call_channel_method(
                self.channel, "execute_command_search_tickets", body=body, **kwargs
            )
        ((user, channel, content),) = sent
        self.assertEqual((user, channel), (self.operator, self.channel))
        # As the bus sends it: text escaped, markup kept.
        return str(Markup("%s") % content)

    def test_usage(self):
        for body in ("/search_tickets", "/search_tickets   "):
            self.assertIn("<pre>/search_tickets <i>words</i></pre>", self.search(body))

    def test_by_title_reference_and_customer(self):
        for body in (
            "/search_tickets printer",
            "/search_tickets JAMS page",
            f"/search_tickets #{self.printer.ref}",
            f"/search_tickets {self.printer.ref}",
            "/search_tickets chuck",
            "/search_tickets chuck@customer.test",
        ):
            with self.subTest(body=body):
                content = self.search(body)
                self.assertIn(self.printer.display_name, content)
                self.assertNotIn(self.invoice.display_name, content)
                self.assertNotIn(self.hidden.name, content, "another company's")
        content = self.search("/search_tickets zelda")
        self.assertIn(self.invoice.display_name, content)
        self.assertIn(self.invoice.stage_id.name, content)
        # The link opens the ticket in the Helpdesk app, not a bare form.
        self.assertIn(
            f'href="/odoo/action-helpdesk_intake.helpdesk_ticket_action/'
            f'{self.invoice.id}" data-oe-model="helpdesk.ticket" '
            f'data-oe-id="{self.invoice.id}"',
            content,
        )
        self.assertIn("No ticket matches", self.search("/search_tickets printer zelda"))

    def test_hostile_terms_are_escaped(self):
        self.printer.name = "Printer <b>bold</b>"
        for body in (
            "/search_tickets <img src=x onerror=alert(1)>",
            '/search_tickets printer "><img src=x>',
            "/search_tickets printer",
        ):
            with self.subTest(body=body):
                content = self.search(body)
                self.assertNotIn("<img", content)
                self.assertNotIn("<b>", content)

    def test_load_more(self):
        tickets = self.env["helpdesk.ticket"].create(
            [{"name": f"Scanner issue {n}", "team_id": self.team.id} for n in range(12)]
        )
        first = self.search("/search_tickets scanner")
        self.assertEqual(first.count("<li>"), 10)
        self.assertIn('class="o_helpdesk_search_more"', first)
        self.assertIn('data-terms="scanner" data-offset="10"', first)
        # Newest first: the oldest two come with "load more".
        for ticket in tickets[:2]:
            self.assertNotIn(f"{ticket.display_name}<", first)
        more = self.search("/search_tickets scanner", offset=10)
        self.assertEqual(more.count("<li>"), 2)
        self.assertNotIn("o_helpdesk_search_more", more)
        for ticket in tickets[:2]:
            self.assertIn(ticket.display_name, more)
        self.assertIn(
            "No more tickets", self.search("/search_tickets scanner", offset=12)
        )

    def test_closed_tickets_come_last(self):
        self.printer.stage_id = self.stage_solved
        newer = self.env["helpdesk.ticket"].create(
            {"name": "Printer smells", "team_id": self.team.id}
        )
        content = self.search("/search_tickets printer")
        self.assertLess(
            content.index(newer.display_name), content.index(self.printer.display_name)
        )
        self.assertIn(self.stage_solved.name, content)

    def test_operator_without_helpdesk_access(self):
        operator = new_test_user(
            self.env,
            login="chat_only_operator",
            groups="base.group_user,im_livechat.im_livechat_group_user",
        )
        self.channel.sudo()._add_members(users=operator)
        self.authenticate(operator.login, operator.login)
        with self.capture_transient_messages() as sent:
            self.call_channel_method(
                self.channel,
                "execute_command_search_tickets",
                body="/search_tickets printer",
            )
        ((user, _channel, content),) = sent
        self.assertEqual(user, operator)
        self.assertIn("Only helpdesk users can search tickets.", content)
        self.assertNotIn(self.printer.name, content)

    @mute_logger("odoo.http")
    def test_refused_outside_the_conversation(self):
        # A helpdesk user who is not an operator of this conversation.
        self.authenticate(self.user_hd_agent2.login, self.user_hd_agent2.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_channel_method(
                self.channel,
                "execute_command_search_tickets",
                body="/search_tickets printer",
            )
        # The visitor of the conversation.
        portal_channel = self.open_session(self.user_portal.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_channel_method(
                portal_channel,
                "execute_command_search_tickets",
                body="/search_tickets printer",
            )
