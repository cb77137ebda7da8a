from odoo.tests import tagged

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestChatbotCreateTicket(HelpdeskLivechatCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket_team = cls.team_b
        cls.ticket_team.use_acknowledgement = True
        cls.script = cls.env["chatbot.script"].create({"title": "Support bot"})
        (
            cls.step_email,
            cls.step_phone,
            cls.step_problem,
            cls.step_ticket,
            cls.step_goodbye,
        ) = cls.env["chatbot.script.step"].create(
            [
                dict(vals, chatbot_script_id=cls.script.id)
                for vals in [
                    {"step_type": "question_email", "message": "Your email?"},
                    {"step_type": "question_phone", "message": "Your phone?"},
                    {
                        "step_type": "free_input_multi",
                        "message": "What is the problem?",
                    },
                    {
                        "step_type": "create_ticket",
                        "message": "Thanks, we are on it.",
                        "helpdesk_team_id": cls.ticket_team.id,
                    },
                    {"step_type": "text", "message": "Goodbye!"},
                ]
            ]
        )
        cls.livechat_channel.rule_ids = [(0, 0, {"chatbot_script_id": cls.script.id})]

    def answer(self, channel, body):
        self.post_as_current_session(channel, body)
        if channel.chatbot_current_step_id.step_type == "question_email":
            self.make_jsonrpc_request(
                "/chatbot/step/validate_email", {"channel_id": channel.id}
            )
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})

    def play_script(self, login=None):
        channel = self.open_session(login, chatbot_script_id=self.script.id)
        self.assertEqual(channel.chatbot_current_step_id, self.step_email)
        self.answer(channel, "visitor@example.com")
        self.answer(channel, "+32 470 12 34 56")
        self.assertEqual(channel.chatbot_current_step_id, self.step_problem)
        self.answer(channel, "The scanner jams\non every page")
        self.assertEqual(channel.chatbot_current_step_id, self.step_ticket)
        return channel

    def test_public_visitor(self):
        channel = self.play_script()
        ticket = self.env["helpdesk.ticket"].search(
            [("origin_channel_id", "=", channel.id)]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.name, "The scanner jams")
        self.assertEqual(ticket.team_id, self.ticket_team)
        self.assertEqual(ticket.intake_channel, "livechat")
        self.assertEqual(ticket.partner_email, "visitor@example.com")
        self.assertEqual(ticket.partner_phone, "+32 470 12 34 56")
        self.assertIn("on every page", ticket.description)
        self.assertIn("What is the problem?", ticket.description)
        self.assertFalse(
            ticket.message_partner_ids & self.env.ref("base.public_partner"),
            "the public visitor does not follow the ticket",
        )
        # Acknowledgement rules of the core: the visitor gets the reference.
        self.assertEqual(ticket.partner_id.email, "visitor@example.com")

        bot_message = channel.message_ids.filtered(
            lambda m: m.author_id == self.script.operator_partner_id
        ).sorted("id")[-1]
        self.assertIn("Thanks, we are on it.", bot_message.body)
        self.assertIn(f"Your ticket reference is #{ticket.ref}.", bot_message.body)

        # The script goes on after the ticket.
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        self.assertEqual(channel.chatbot_current_step_id, self.step_goodbye)
        self.assertEqual(
            self.env["helpdesk.ticket"].search_count(
                [("origin_channel_id", "=", channel.id)]
            ),
            1,
        )

    def test_portal_visitor(self):
        self.user_portal.partner_id.phone = False
        channel = self.play_script(self.user_portal.login)
        ticket = self.env["helpdesk.ticket"].search(
            [("origin_channel_id", "=", channel.id)]
        )
        self.assertEqual(ticket.partner_id, self.user_portal.partner_id)
        self.assertEqual(ticket.partner_email, self.user_portal.email)
        self.assertEqual(self.user_portal.partner_id.phone, "+32 470 12 34 56")

    def test_team_of_the_channel_by_default(self):
        self.step_ticket.helpdesk_team_id = False
        channel = self.play_script()
        ticket = self.env["helpdesk.ticket"].search(
            [("origin_channel_id", "=", channel.id)]
        )
        self.assertEqual(ticket.team_id, self.team)

    def test_customer_named_by_email_and_counted(self):
        channel = self.play_script()
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.partner_id.name, "visitor@example.com")
        self.assertEqual(ticket.partner_name, "visitor@example.com")
        self.assertEqual(ticket.origin_chatbot_script_id, self.script)
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertIn("Hello visitor@example.com", ack.body)
        self.assertNotIn("Visitor", ack.body)

        # The script counts its tickets; the live chat report, by channel
        # and by operator, too.
        self.assertEqual(self.script.helpdesk_ticket_count, 1)
        action = self.script.action_view_helpdesk_tickets()
        self.assertEqual(self.env["helpdesk.ticket"].search(action["domain"]), ticket)
        channel.sudo()._add_members(users=self.operator)
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Second one")
        self.assertEqual(self.script.helpdesk_ticket_count, 1, "the operator's")
        Report = self.env["im_livechat.report.channel"]
        self.assertEqual(
            Report.search([("channel_id", "=", channel.id)]).helpdesk_tickets_created,
            2,
        )
        self.open_session()  # a conversation without ticket
        rows = Report._read_group(
            [("livechat_channel_id", "=", self.livechat_channel.id)],
            ["livechat_channel_id", "partner_id"],
            ["helpdesk_tickets_created:sum", "__count"],
        )
        self.assertEqual(
            {(row[0], row[1]): row[2:] for row in rows},
            {
                (self.livechat_channel, self.script.operator_partner_id): (2, 1),
                (self.livechat_channel, self.operator.partner_id): (0, 1),
            },
        )

    def test_customer_named_by_the_name_given(self):
        name_step = self.env["chatbot.script.step"].create(
            {
                "chatbot_script_id": self.script.id,
                "step_type": "free_input_single",
                "message": "Your name?",
                "helpdesk_customer_name": True,
                "sequence": -1,
            }
        )
        channel = self.open_session(chatbot_script_id=self.script.id)
        self.assertEqual(channel.chatbot_current_step_id, name_step)
        self.answer(channel, "  Zoé \n  Martin ")
        self.answer(channel, "zoe@example.com")
        self.answer(channel, "+32 470 12 34 56")
        self.answer(channel, "The scanner jams")
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.name, "The scanner jams", "the name is no title")
        self.assertEqual(ticket.partner_id.name, "Zoé Martin")
        self.assertEqual(ticket.partner_name, "Zoé Martin")
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        ack = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertIn("Hello Zoé Martin", ack.body)
