from odoo.tests import JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestTicketCommand(HelpdeskLivechatCase):
    def test_usage(self):
        channel = self.open_session()
        self.authenticate(self.operator.login, self.operator.login)
        with self.capture_transient_messages() as sent:
            self.call_ticket_command(channel, "/ticket   ")
        self.assertFalse(self.tickets_of(channel))
        ((user, to_channel, content),) = sent
        self.assertEqual((user, to_channel), (self.operator, channel))
        self.assertIn("<pre>/ticket <i>ticket title</i></pre>", content)

    def test_public_visitor(self):
        channel = self.open_session()
        self.post_as_current_session(channel, "Hello, my printer prints blank pages")
        guest = channel.livechat_customer_guest_ids
        self.authenticate(self.operator.login, self.operator.login)
        channel.with_user(self.operator).message_post(
            body="Which model is it?", message_type="comment"
        )
        with self.capture_transient_messages() as sent:
            self.call_ticket_command(channel, "/ticket Printer broken")

        ticket = self.tickets_of(channel)
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "Printer broken")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.intake_channel, "livechat")
        self.assertFalse(ticket.partner_id, "the public user is never the customer")
        self.assertEqual(ticket.partner_name, guest.name)
        self.assertIn("my printer prints blank pages", ticket.description)
        self.assertIn("Which model is it?", ticket.description)
        self.assertEqual(channel.with_user(self.operator).helpdesk_ticket_ids, ticket)
        self.assertTrue(channel.has_helpdesk_ticket)

        ((user, to_channel, content),) = sent
        self.assertEqual((user, to_channel), (self.operator, channel))
        self.assertIn(
            f"data-oe-model='helpdesk.ticket' data-oe-id='{ticket.id}'", content
        )
        self.assertIn(f"Printer broken (#{ticket.ref})", content)
        self.assertIn(self.team.name, content)

    def test_guest_email_from_chatbot_answer(self):
        script = self.contact_bot()
        channel = self.answer_contact_bot(script, "guest@example.com")
        self.assertEqual(channel.livechat_operator_id, self.operator.partner_id)

        self.authenticate(self.operator.login, self.operator.login)
        self.team.sudo().use_acknowledgement = True
        self.call_ticket_command(channel, "/ticket Cannot log in")
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.partner_email, "guest@example.com")
        # The core's acknowledgement rules apply: the guest gets the reference.
        self.assertEqual(ticket.partner_id.email, "guest@example.com")
        self.assertTrue(ticket.ack_pending)
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(ack), 1)

    def test_portal_visitor(self):
        channel = self.open_session(self.user_portal.login)
        self.post_as_current_session(channel, "My invoice is wrong")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Wrong invoice")
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.partner_id, self.user_portal.partner_id)
        self.assertEqual(ticket.partner_email, self.user_portal.email)
        self.assertIn(self.user_portal.name, ticket.description)

    def test_logged_in_customer(self):
        company = self.env["res.partner"].create(
            {"name": "Acme Corp", "is_company": True}
        )
        customer = self.user_portal_other
        customer.partner_id.parent_id = company
        channel = self.open_session(customer.login)
        self.post_as_current_session(channel, "The delivery did not arrive")
        # A second operator joins to help: still not the customer.
        colleague = self.user_hd_agent3
        colleague.group_ids += self.env.ref("im_livechat.im_livechat_group_user")
        channel.sudo()._add_members(users=colleague)
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Missing delivery")
        ticket = self.tickets_of(channel)
        self.assertEqual(
            ticket.partner_id, customer.partner_id, "the person, not the company"
        )
        self.assertEqual(ticket.origin_channel_id, channel)

    def test_team_choice(self):
        other_team = self.env["helpdesk.team"].create(
            {"name": "Escalations", "sequence": 1, "use_livechat": True}
        )
        other_team.livechat_channel_id.unlink()
        other_team.livechat_channel_id = self.livechat_channel
        self.assertLess(other_team.sequence, self.team.sequence)
        channel = self.open_session()
        self.post_as_current_session(channel, "Hi")
        self.authenticate(self.operator.login, self.operator.login)

        with self.capture_transient_messages() as sent:
            self.call_ticket_command(channel, "/ticket Shared channel")
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.team_id, other_team, "first team by sequence")
        self.assertIn("Escalations", sent[0][2])

        # Unticked teams keep the channel but no longer take its tickets: the
        # operator's first team does, and the answer says so.
        (self.team | other_team).use_livechat = False
        my_team = self.env["helpdesk.team"].create(
            {
                "name": "Operator's Desk",
                "sequence": 0,
                "member_ids": [(6, 0, self.operator.ids)],
            }
        )
        with self.capture_transient_messages() as sent:
            self.call_ticket_command(channel, "/ticket No team")
        ticket = self.tickets_of(channel).filtered(lambda t: t.name == "No team")
        self.assertEqual(ticket.team_id, my_team)
        self.assertIn("Operator&#39;s Desk", sent[0][2])
        self.assertIn("no helpdesk team takes the tickets", sent[0][2])
        self.assertEqual(other_team.livechat_channel_id, self.livechat_channel)

    @mute_logger("odoo.http")
    def test_refused_to_visitors_and_non_operators(self):
        # Public visitor: typing /ticket in the widget is just a message, and
        # the command itself is out of reach of a visitor's session.
        channel = self.open_session()
        self.post_as_current_session(channel, "/ticket I want a ticket")
        with self.assertRaisesRegex(JsonRpcException, "SessionExpired"):
            self.call_ticket_command(channel, "/ticket From the public visitor")

        # Portal visitor, member of their own conversation.
        portal_channel = self.open_session(self.user_portal.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_ticket_command(portal_channel, "/ticket From the portal visitor")

        # Internal users who are not taking part in the conversation, even
        # helpdesk and live chat managers.
        outsider = self.user_hd_manager
        outsider.group_ids += self.env.ref("im_livechat.im_livechat_group_manager")
        self.authenticate(outsider.login, outsider.login)
        for conversation in (channel, portal_channel):
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_ticket_command(conversation, "/ticket From an outsider")

        self.assertFalse(self.tickets_of(channel | portal_channel))

    def test_ticket_reads_its_conversation(self):
        channel = self.open_session()
        self.post_as_current_session(channel, "Is anyone there?")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Follow-up")
        agent = self.user_hd_agent2
        # A helpdesk agent who was not in the chat reads it from the ticket...
        self.assertTrue(channel.with_user(agent).has_access("read"))
        ticket = self.tickets_of(channel).with_user(agent)
        self.assertEqual(ticket.origin_channel_id, channel)
        ticket.action_open_origin_channel()
        # ...but cannot link a ticket to a conversation they cannot read.
        other = self.open_session()
        self.assertFalse(other.with_user(agent).has_access("read"))
        with self.assertRaisesRegex(Exception, "cannot link a ticket"):
            self.env["helpdesk.ticket"].with_user(agent).create(
                {
                    "name": "Sneaky",
                    "team_id": self.team.id,
                    "origin_channel_id": other.id,
                }
            )

    def test_conversation_panel_lists_tickets(self):
        channel = self.open_session()
        self.post_as_current_session(channel, "Hello")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Panel")
        ticket = self.tickets_of(channel)
        data = self.make_jsonrpc_request(
            "/mail/data",
            {
                "fetch_params": [
                    ["/im_livechat/session/data", {"channel_id": channel.id}]
                ]
            },
        )
        (channel_data,) = [c for c in data["discuss.channel"] if c["id"] == channel.id]
        self.assertEqual(channel_data["helpdesk_ticket_ids"], ticket.ids)
        self.assertEqual(
            data["helpdesk.ticket"],
            [{"id": ticket.id, "display_name": ticket.display_name}],
        )
