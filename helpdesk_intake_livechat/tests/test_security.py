"""Security of the live chat side of the helpdesk, through the routes an
attacker reaches: the JSON-RPC of the web client (``/web/dataset/call_kw``),
the external JSON API (``/json/2``), the live chat widget and the chatbot."""

import contextlib
import json
from datetime import timedelta

from odoo.fields import Datetime
from odoo.tests import JsonRpcException, freeze_time, new_test_user, tagged
from odoo.tools import email_normalize, mute_logger

from .common import HelpdeskLivechatCase

ACCESS_ERROR = "odoo.exceptions.AccessError"
RATE_LIMIT = "helpdesk_intake.rate_limit"
RATE_LIMIT_EMAIL = "helpdesk_intake.rate_limit_email"
ACK_LIMIT = "helpdesk_intake.ack_limit"
# What a guest may call themselves in the live chat widget, to try to become
# someone else's customer or to add recipients to the helpdesk's emails.
HOSTILE_GUEST_NAMES = [
    "Eve <attacker@evil.example>",
    "attacker@evil.example",
    "Eve, attacker@evil.example",
    "Eve; attacker@evil.example",
    '"Eve" <attacker@evil.example>, "Bob" <bob@evil.example>',
    "Eve\r\nBcc: attacker@evil.example",
    "Eve\nattacker@evil.example",
    "Eve\r\n\r\n<attacker@evil.example>",
    "<attacker@evil.example>",
    "Eve\x1b<attacker@evil.example>\x07",
    "Eve\t<attacker@evil.example>\x7f",
    "=?utf-8?q?Eve_=3Cattacker=40evil.example=3E?=",
]
NAME_FORBIDDEN_CHARACTERS = '\r\n\x1b\x07\x7f<>@,;"'


class HelpdeskLivechatSecurityCase(HelpdeskLivechatCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # whose addresses visitors type: a portal customer and an employee
        cls.portal_user = new_test_user(
            cls.env,
            login="hdlc_portal",
            name="Paula Portal",
            email="paula.portal@example.com",
            groups="base.group_portal",
        )
        new_test_user(
            cls.env,
            login="hdlc_maria",
            name="Maria Manager",
            email="maria.manager@example.com",
            groups="base.group_user",
        )

    def call_kw(self, model, method, args, kwargs=None):
        """Call ``model.method`` the way the web client does, as the user of
        the last authentication."""
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        )

    def call_json2(self, user, model, method, **params):
        """Call ``model.method`` through the external JSON API with an API key
        of ``user``, from a client without session; return the HTTP
        response."""
        self.authenticate(None, None)
        key = (
            self.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="attacker script",
                expiration_date=Datetime.now() + timedelta(days=1),
            )
        )
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
            },
        )

    def assertAccessRefused(self, model, method, args, kwargs=None):
        with self.assertRaises(JsonRpcException) as refusal:
            self.call_kw(model, method, args, kwargs)
        self.assertEqual(str(refusal.exception), ACCESS_ERROR)

    def assertJson2Refused(self, response):
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(response.json()["name"], ACCESS_ERROR, response.text)

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, str(value))


@tagged("post_install", "-at_install")
class TestConversationMembers(HelpdeskLivechatSecurityCase):
    """Helpdesk users read the conversations of tickets; they do not take part
    in them (and so cannot make tickets of them) unless Odoo lets them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="hdsec_agent",
            name="Hugo Helpdesk",
            email="hugo.helpdesk@example.com",
            groups="base.group_user,helpdesk_intake.group_helpdesk_user",
        )
        cls.hd_manager = new_test_user(
            cls.env,
            login="hdsec_hd_manager",
            name="Hanna Helpdesk Manager",
            email="hanna.manager@example.com",
            groups="base.group_user,helpdesk_intake.group_helpdesk_manager",
        )
        # The same attack through the external API, by a user of its own.
        cls.api_agent = new_test_user(
            cls.env,
            login="hdsec_api_agent",
            name="Adam API",
            groups="base.group_user,helpdesk_intake.group_helpdesk_user",
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.attackers = cls.agent | cls.hd_manager

    def setUp(self):
        super().setUp()
        for attacker in self.attackers | self.api_agent:
            self.assertFalse(attacker.has_group("im_livechat.im_livechat_group_user"))
        # A conversation of a public visitor that the operator made a ticket of.
        self.channel = self.open_session()
        self.post_as_current_session(self.channel, "My screen stays black")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(self.channel, "/ticket Black screen")
        self.ticket = self.tickets_of(self.channel)
        self.assertEqual(len(self.ticket), 1)
        self.assertTrue(self.channel.has_helpdesk_ticket)
        self.operator_member = self.channel.channel_member_ids.filtered(
            lambda m: m.partner_id == self.operator.partner_id
        )
        self.assertEqual(len(self.operator_member), 1)

    def members(self):
        self.env.invalidate_all()
        return self.channel.channel_member_ids

    def targets(self, attacker):
        """Whom ``attacker`` tries to bring in: themselves, a colleague, an
        outside contact (new ones for each attacker)."""
        colleague = new_test_user(
            self.env,
            login=f"{attacker.login}_colleague",
            name=f"Colleague of {attacker.name}",
            groups="base.group_user",
        )
        stranger = self.env["res.partner"].create(
            {"name": f"Stranger of {attacker.name}", "email": "sam@stranger.example"}
        )
        return attacker.partner_id | colleague.partner_id | stranger

    def try_to_join(self, user):
        """Try every way for ``user`` to become a member of the conversation,
        ignoring refusals."""
        attempts = [
            ("discuss.channel", "channel_join", [self.channel.ids], {}),
            (
                "discuss.channel",
                "add_members",
                [self.channel.ids],
                {"partner_ids": user.partner_id.ids},
            ),
            (
                "discuss.channel.member",
                "create",
                [[{"channel_id": self.channel.id, "partner_id": user.partner_id.id}]],
                {},
            ),
        ]
        for model, method, args, kwargs in attempts:
            # refused or not, the members say whether it worked
            with contextlib.suppress(JsonRpcException):
                self.call_kw(model, method, args, kwargs)

    def assertNotMember(self, *partners):
        members = self.members()
        for partner in partners:
            self.assertNotIn(partner, members.partner_id, f"{partner.name} joined")

    def test_helpdesk_user_reads_conversation_of_ticket(self):
        other = self.open_session()
        for attacker in self.attackers:
            with self.subTest(attacker=attacker.login):
                self.authenticate(attacker.login, attacker.login)
                (data,) = self.call_kw(
                    "discuss.channel", "read", [self.channel.ids, ["name"]]
                )
                self.assertEqual(data["id"], self.channel.id)
                self.call_kw(
                    "helpdesk.ticket", "action_open_origin_channel", [self.ticket.ids]
                )
                # Conversations without tickets stay private.
                with mute_logger("odoo.http"):
                    self.assertAccessRefused(
                        "discuss.channel", "read", [other.ids, ["name"]]
                    )

    @mute_logger("odoo.http")
    def test_member_create_refused(self):
        for attacker in self.attackers:
            for partner in self.targets(attacker):
                with self.subTest(attacker=attacker.login, partner=partner.name):
                    self.authenticate(attacker.login, attacker.login)
                    self.assertAccessRefused(
                        "discuss.channel.member",
                        "create",
                        [[{"channel_id": self.channel.id, "partner_id": partner.id}]],
                    )
                    # The inverse of the channel's members, and member commands.
                    self.assertAccessRefused(
                        "discuss.channel",
                        "write",
                        [
                            self.channel.ids,
                            {
                                "channel_member_ids": [
                                    (0, 0, {"partner_id": partner.id})
                                ]
                            },
                        ],
                    )
                    self.assertAccessRefused(
                        "discuss.channel",
                        "write",
                        [self.channel.ids, {"channel_partner_ids": [(4, partner.id)]}],
                    )
                    self.assertNotMember(partner)
        for partner in self.targets(self.api_agent):
            with self.subTest(api="json2", partner=partner.name):
                response = self.call_json2(
                    self.api_agent,
                    "discuss.channel.member",
                    "create",
                    vals_list=[
                        {"channel_id": self.channel.id, "partner_id": partner.id}
                    ],
                )
                self.assertJson2Refused(response)
                self.assertNotMember(partner)

        # The refusal is about who asks: the operator taking part in the
        # conversation invites whom they want, and so does an administrator.
        invited = self.env["res.partner"].create(
            [{"name": "Ivan Invited"}, {"name": "Irma Invited"}]
        )
        for user, partner in zip((self.operator, self.admin), invited, strict=True):
            with self.subTest(invites=user.login):
                self.authenticate(user.login, user.login)
                (member_id,) = self.call_kw(
                    "discuss.channel.member",
                    "create",
                    [[{"channel_id": self.channel.id, "partner_id": partner.id}]],
                )
                member = self.env["discuss.channel.member"].browse(member_id)
                self.assertIn(member, self.members())
                self.assertEqual(member.partner_id, partner)

    @mute_logger("odoo.http")
    def test_add_members_refused(self):
        for attacker in self.attackers:
            partners = self.targets(attacker)
            with self.subTest(attacker=attacker.login, partners="all at once"):
                self.authenticate(attacker.login, attacker.login)
                self.assertAccessRefused(
                    "discuss.channel",
                    "add_members",
                    [self.channel.ids],
                    {"partner_ids": partners.ids},
                )
                self.assertNotMember(*partners)
            for partner in partners:
                with self.subTest(attacker=attacker.login, partner=partner.name):
                    self.assertAccessRefused(
                        "discuss.channel",
                        "add_members",
                        [self.channel.ids],
                        {"partner_ids": partner.ids},
                    )
                    self.assertNotMember(partner)
        for partner in self.targets(self.api_agent):
            with self.subTest(api="json2", partner=partner.name):
                response = self.call_json2(
                    self.api_agent,
                    "discuss.channel",
                    "add_members",
                    ids=self.channel.ids,
                    partner_ids=partner.ids,
                )
                self.assertJson2Refused(response)
                self.assertNotMember(partner)

        # The operator of the conversation adds the helpdesk agent.
        self.authenticate(self.operator.login, self.operator.login)
        self.call_kw(
            "discuss.channel",
            "add_members",
            [self.channel.ids],
            {"partner_ids": self.agent.partner_id.ids},
        )
        self.assertIn(self.agent.partner_id, self.members().partner_id)

    @mute_logger("odoo.http")
    def test_channel_join_refused(self):
        for attacker in self.attackers:
            with self.subTest(attacker=attacker.login):
                self.authenticate(attacker.login, attacker.login)
                self.assertAccessRefused(
                    "discuss.channel", "channel_join", [self.channel.ids]
                )
                self.assertNotMember(attacker.partner_id)
        with self.subTest(api="json2"):
            response = self.call_json2(
                self.api_agent, "discuss.channel", "channel_join", ids=self.channel.ids
            )
            self.assertJson2Refused(response)
            self.assertNotMember(self.api_agent.partner_id)

        # Odoo lets other live chat operators and administrators join.
        other_operator = new_test_user(
            self.env,
            login="hdsec_operator2",
            groups="base.group_user,im_livechat.im_livechat_group_user",
        )
        for user in (other_operator, self.admin):
            with self.subTest(joins=user.login):
                self.authenticate(user.login, user.login)
                self.call_kw("discuss.channel", "channel_join", [self.channel.ids])
                self.assertIn(user.partner_id, self.members().partner_id)

    @mute_logger("odoo.http")
    def test_discuss_routes_refused(self):
        # The routes of the Discuss client that make the current user a member
        # of the channel they act on.
        self.channel.sudo().livechat_status = "need_help"
        routes = [
            ("/discuss/channel/join", {}),
            ("/discuss/channel/notify_typing", {"is_typing": True}),
            ("/discuss/settings/mute", {"minutes": 10}),
            ("/discuss/settings/custom_notifications", {"custom_notifications": "all"}),
            ("/mail/rtc/channel/join_call", {}),
        ]
        for attacker in self.attackers:
            self.authenticate(attacker.login, attacker.login)
            for route, params in routes:
                with self.subTest(attacker=attacker.login, route=route):
                    with self.assertRaises(JsonRpcException) as refusal:
                        self.make_jsonrpc_request(
                            route, {"channel_id": self.channel.id, **params}
                        )
                    self.assertEqual(str(refusal.exception), ACCESS_ERROR)
                    self.assertNotMember(attacker.partner_id)
            with self.subTest(attacker=attacker.login, method="need help"):
                self.assertAccessRefused(
                    "discuss.channel",
                    "livechat_join_channel_needing_help",
                    [self.channel.ids],
                )
                self.assertNotMember(attacker.partner_id)

        # A live chat operator who is not in the conversation yet joins it
        # through the same routes, as Odoo allows.
        for index, (route, params) in enumerate(routes):
            with self.subTest(operator=index, route=route):
                operator = new_test_user(
                    self.env,
                    login=f"hdsec_route_operator{index}",
                    groups="base.group_user,im_livechat.im_livechat_group_user",
                )
                self.authenticate(operator.login, operator.login)
                self.make_jsonrpc_request(
                    route, {"channel_id": self.channel.id, **params}
                )
                self.assertIn(operator.partner_id, self.members().partner_id)

    @mute_logger("odoo.http")
    def test_ticket_command_stays_refused(self):
        for attacker in self.attackers:
            with self.subTest(attacker=attacker.login):
                self.authenticate(attacker.login, attacker.login)
                # Every way in is tried first, whatever they answer.
                self.try_to_join(attacker)
                with self.assertRaises(JsonRpcException) as refusal:
                    self.call_ticket_command(
                        self.channel, "/ticket Made by an outsider"
                    )
                self.assertEqual(str(refusal.exception), ACCESS_ERROR)
                self.assertEqual(self.tickets_of(self.channel), self.ticket)
        with self.subTest(api="json2"):
            partner_ids = self.api_agent.partner_id.ids
            for model, method, params in [
                ("discuss.channel", "channel_join", {"ids": self.channel.ids}),
                (
                    "discuss.channel",
                    "add_members",
                    {"ids": self.channel.ids, "partner_ids": partner_ids},
                ),
                (
                    "discuss.channel.member",
                    "create",
                    {
                        "vals_list": [
                            {
                                "channel_id": self.channel.id,
                                "partner_id": partner_ids[0],
                            }
                        ]
                    },
                ),
            ]:
                self.call_json2(self.api_agent, model, method, **params)
            response = self.call_json2(
                self.api_agent,
                "discuss.channel",
                "execute_command_ticket",
                ids=self.channel.ids,
                body="/ticket Made through the API",
            )
            self.assertJson2Refused(response)
            self.assertEqual(self.tickets_of(self.channel), self.ticket)

        # The operator taking part in the conversation still can.
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(self.channel, "/ticket Second ticket")
        self.assertEqual(len(self.tickets_of(self.channel)), 2)

    @mute_logger("odoo.http")
    def test_post_in_conversation_refused(self):
        """Reading a conversation of a ticket is not talking to its visitor:
        a helpdesk user's post, through the chat window's route or RPC, is
        refused; the operator taking part still writes."""
        messages_before = self.channel.message_ids
        for attacker in self.attackers:
            with self.subTest(attacker=attacker.login, api="route"):
                self.authenticate(attacker.login, attacker.login)
                # the chat window's route answers as for a thread it cannot see
                with self.assertRaises(JsonRpcException) as refusal:
                    self.post_as_current_session(self.channel, "Hello from nowhere")
                self.assertEqual(str(refusal.exception), "werkzeug.exceptions.NotFound")
            with self.subTest(attacker=attacker.login, api="call_kw"):
                self.assertAccessRefused(
                    "discuss.channel",
                    "message_post",
                    [self.channel.ids],
                    {"body": "Hello again", "message_type": "comment"},
                )
        self.env.invalidate_all()
        self.assertEqual(self.channel.message_ids, messages_before)
        self.authenticate(self.operator.login, self.operator.login)
        message = self.post_as_current_session(self.channel, "The operator answers")
        self.assertEqual(message.author_id, self.operator.partner_id)

    @mute_logger("odoo.http")
    def test_member_write_refused(self):
        visitor_member = self.members() - self.operator_member
        self.assertEqual(len(visitor_member), 1)
        for attacker in self.attackers:
            for member in (self.operator_member, visitor_member):
                for values in [
                    {"custom_notifications": "no_notif"},
                    {"mute_until_dt": "2099-01-01 00:00:00"},
                    {"partner_id": attacker.partner_id.id},
                    {"guest_id": False, "partner_id": attacker.partner_id.id},
                ]:
                    with self.subTest(
                        attacker=attacker.login, member=member.id, values=values
                    ):
                        self.authenticate(attacker.login, attacker.login)
                        self.assertAccessRefused(
                            "discuss.channel.member", "write", [member.ids, values]
                        )
                        self.assertFalse(member.custom_notifications)
                        self.assertFalse(member.mute_until_dt)
                        self.assertNotMember(attacker.partner_id)
                with self.subTest(
                    attacker=attacker.login, member=member.id, op="unlink"
                ):
                    self.assertAccessRefused(
                        "discuss.channel.member", "unlink", [member.ids]
                    )
                    self.assertIn(member, self.members())
        for values in [
            {"custom_notifications": "no_notif"},
            {"partner_id": self.api_agent.partner_id.id},
        ]:
            with self.subTest(api="json2", values=values):
                response = self.call_json2(
                    self.api_agent,
                    "discuss.channel.member",
                    "write",
                    ids=self.operator_member.ids,
                    vals=values,
                )
                self.assertJson2Refused(response)
                self.assertFalse(self.operator_member.custom_notifications)
                self.assertNotMember(self.api_agent.partner_id)

        # The operator sets up their own membership; an administrator any.
        for user, value in ((self.operator, "mentions"), (self.admin, "no_notif")):
            self.authenticate(user.login, user.login)
            self.call_kw(
                "discuss.channel.member",
                "write",
                [self.operator_member.ids, {"custom_notifications": value}],
            )
            self.env.invalidate_all()
            self.assertEqual(self.operator_member.custom_notifications, value)
        # Once the operator brought them in, the agent sets up their own
        # membership, and only their own.
        self.authenticate(self.operator.login, self.operator.login)
        self.call_kw(
            "discuss.channel",
            "add_members",
            [self.channel.ids],
            {"partner_ids": self.agent.partner_id.ids},
        )
        agent_member = self.members().filtered(
            lambda m: m.partner_id == self.agent.partner_id
        )
        self.authenticate(self.agent.login, self.agent.login)
        self.call_kw(
            "discuss.channel.member",
            "write",
            [agent_member.ids, {"custom_notifications": "mentions"}],
        )
        self.env.invalidate_all()
        self.assertEqual(agent_member.custom_notifications, "mentions")
        self.assertAccessRefused(
            "discuss.channel.member",
            "write",
            [self.operator_member.ids, {"custom_notifications": "all"}],
        )
        self.assertEqual(self.operator_member.custom_notifications, "no_notif")


class ChatbotTicketCase(HelpdeskLivechatSecurityCase):
    """A chatbot asking the visitor's email and problem, then making a ticket
    of the conversation in a team that acknowledges tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket_team = cls.env["helpdesk.team"].create(
            {
                "name": "Bot Tickets",
                "use_acknowledgement": True,
                "privacy_visibility": "portal",
            }
        )
        cls.script = cls.env["chatbot.script"].create({"title": "Support bot"})
        cls.step_email, cls.step_problem, cls.step_ticket, cls.step_goodbye = cls.env[
            "chatbot.script.step"
        ].create(
            [
                dict(vals, chatbot_script_id=cls.script.id)
                for vals in [
                    {"step_type": "question_email", "message": "Your email?"},
                    {"step_type": "free_input_single", "message": "Your problem?"},
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

    def setUp(self):
        super().setUp()
        # Each test sets the limit it is about; the others do not interfere
        # (0 turns the rate limits off).
        self.set_param(RATE_LIMIT, 0)
        self.set_param(RATE_LIMIT_EMAIL, 0)
        self.set_param(ACK_LIMIT, 1000)

    def answer(self, channel, body):
        self.post_as_current_session(channel, body)
        if channel.chatbot_current_step_id.step_type == "question_email":
            result = self.make_jsonrpc_request(
                "/chatbot/step/validate_email", {"channel_id": channel.id}
            )
            self.assertTrue(result["success"], body)
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})

    def run_script(self, channel, email, problem):
        self.assertEqual(channel.chatbot_current_step_id, self.step_email)
        self.answer(channel, email)
        self.assertEqual(channel.chatbot_current_step_id, self.step_problem)
        self.answer(channel, problem)
        self.assertEqual(channel.chatbot_current_step_id, self.step_ticket)

    def chat(
        self,
        email="visitor@example.com",
        problem="The scanner jams",
        login=None,
        guest_name=None,
    ):
        """A new conversation of a visitor (public unless ``login``) from the
        test client, through the whole script."""
        channel = self.open_session(login, chatbot_script_id=self.script.id)
        if guest_name is not None:
            guest = channel.livechat_customer_guest_ids
            self.assertEqual(len(guest), 1)
            self.make_jsonrpc_request(
                "/mail/guest/update_name", {"guest_id": guest.id, "name": guest_name}
            )
        self.run_script(channel, email, problem)
        return channel

    def restart(self, channel):
        self.make_jsonrpc_request(
            "/chatbot/restart",
            {"channel_id": channel.id, "chatbot_script_id": self.script.id},
        )
        self.make_jsonrpc_request(
            "/chatbot/step/trigger",
            {"channel_id": channel.id, "chatbot_script_id": self.script.id},
        )

    def bot_messages(self, channel):
        return channel.message_ids.filtered(
            lambda m: m.author_id == self.script.operator_partner_id
        ).sorted("id")

    def assertTicketReference(self, channel, ticket):
        self.assertIn(
            f"Your ticket reference is #{ticket.ref}.",
            self.bot_messages(channel)[-1].body,
        )

    def assertNoTicket(self, channel):
        self.assertFalse(self.tickets_of(channel))
        answer = channel.message_ids.filtered(
            lambda m: (
                m.author_id != self.script.operator_partner_id
                and m.message_type == "comment"
            )
        ).sorted("id")[-1]
        said = self.bot_messages(channel).filtered(lambda m: m.id > answer.id)
        self.assertTrue(said, "the bot tells the visitor")
        for message in said:
            self.assertNotIn("ticket reference", message.body)

    def acknowledgements_to(self, email):
        """Acknowledgements written to ``email``: the messages posted on
        tickets and the outgoing emails."""
        normalized = email_normalize(email)
        messages = self.env["mail.message"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("message_type", "=", "auto_comment"),
                ("partner_ids.email_normalized", "=", normalized),
            ]
        )
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.ids)]
        ) | self.env["mail.mail"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                "|",
                ("recipient_ids.email_normalized", "=", normalized),
                ("email_to", "ilike", normalized),
            ]
        )
        return messages, mails

    def send_acknowledgements(self):
        self.env.ref(
            "helpdesk_intake.ir_cron_send_acknowledgements"
        ).method_direct_trigger()


@tagged("post_install", "-at_install")
class TestChatbotFlood(ChatbotTicketCase):
    def test_one_ticket_per_conversation(self):
        channel = self.chat(email="visitor@example.com", problem="The scanner jams")
        ticket = self.tickets_of(channel)
        self.assertEqual(len(ticket), 1)
        self.assertTicketReference(channel, ticket)
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        self.assertEqual(channel.chatbot_current_step_id, self.step_goodbye)

        # The visitor starts the script over and over in the same conversation,
        # with other answers: the conversation keeps its ticket.
        for index, email in enumerate(
            ["visitor@example.com", "other@example.com", "third@example.com"]
        ):
            with self.subTest(run=index + 2):
                self.restart(channel)
                self.run_script(channel, email, f"Still jamming, take {index + 2}")
                self.assertEqual(self.tickets_of(channel), ticket)
                self.assertTicketReference(channel, ticket)
        self.assertEqual(ticket.name, "The scanner jams")
        self.assertEqual(ticket.partner_email, "visitor@example.com")
        self.assertFalse(
            self.env["helpdesk.ticket"].search(
                [("partner_email", "in", ["other@example.com", "third@example.com"])]
            )
        )

    def test_one_ticket_per_conversation_several_steps(self):
        # A script that has the step twice makes one ticket too.
        step_again = self.env["chatbot.script.step"].create(
            {
                "chatbot_script_id": self.script.id,
                "step_type": "create_ticket",
                "message": "Once more.",
                "helpdesk_team_id": self.team.id,
            }
        )
        channel = self.chat()
        ticket = self.tickets_of(channel)
        self.assertEqual(len(ticket), 1)
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        self.assertEqual(channel.chatbot_current_step_id, self.step_goodbye)
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        self.assertEqual(channel.chatbot_current_step_id, step_again)
        self.assertEqual(self.tickets_of(channel), ticket)
        self.assertTicketReference(channel, ticket)

    def test_rate_limit_per_network(self):
        self.set_param(RATE_LIMIT, 2)
        channels = [
            self.chat(email=f"visitor{index}@example.com") for index in range(2)
        ]
        self.assertEqual(len(self.tickets_of(channels[0] | channels[1])), 2)
        # Every conversation of the same client counts, whatever the address.
        refused = self.chat(email="visitor3@example.com")
        self.assertNoTicket(refused)
        self.assertFalse(
            self.env["helpdesk.ticket"].search(
                [("partner_email", "=", "visitor3@example.com")]
            )
        )
        # Restarting the refused conversation does not get round it.
        self.restart(refused)
        self.run_script(refused, "visitor4@example.com", "Let me in")
        self.assertNoTicket(refused)

        self.set_param(RATE_LIMIT, 0)
        allowed = self.chat(email="visitor5@example.com")
        self.assertEqual(len(self.tickets_of(allowed)), 1, "0 disables the limit")

    def test_rate_limit_per_address(self):
        self.set_param(RATE_LIMIT_EMAIL, 2)
        first = self.chat(email="visitor@example.com")
        second = self.chat(email="Visitor@Example.COM")
        self.assertEqual(len(self.tickets_of(first)), 1)
        self.assertEqual(len(self.tickets_of(second)), 1)
        for email in ["VISITOR@example.com", "visitor@EXAMPLE.com"]:
            with self.subTest(email=email):
                self.assertNoTicket(self.chat(email=email))
        other = self.chat(email="someone.else@example.com")
        self.assertEqual(len(self.tickets_of(other)), 1, "per address")
        self.assertEqual(
            self.env["helpdesk.ticket"].search_count(
                [("partner_email", "=ilike", "visitor@example.com")]
            ),
            2,
        )

        self.set_param(RATE_LIMIT_EMAIL, 0)
        allowed = self.chat(email="visitor@example.com")
        self.assertEqual(len(self.tickets_of(allowed)), 1, "0 disables the limit")

    def test_acknowledgement_limit(self):
        self.set_param(ACK_LIMIT, 2)
        emails = [
            "visitor@example.com",
            "Visitor@Example.com",
            "VISITOR@EXAMPLE.COM",
            "visitor@example.com",
        ]
        tickets = self.env["helpdesk.ticket"]
        for email in emails:
            channel = self.chat(email=email)
            tickets |= self.tickets_of(channel)
            self.send_acknowledgements()
        self.assertEqual(len(tickets), 4, "the limit is about emails, not tickets")
        messages, mails = self.acknowledgements_to("visitor@example.com")
        self.assertEqual(len(messages), 2)
        self.assertEqual(len(mails), 2)
        self.assertEqual(messages.mapped("res_id"), tickets[:2].ids[::-1])
        self.assertFalse(tickets.filtered("ack_pending"))

        # Another address gets its own acknowledgements.
        other = self.tickets_of(self.chat(email="other.visitor@example.com"))
        self.send_acknowledgements()
        messages, mails = self.acknowledgements_to("other.visitor@example.com")
        self.assertEqual(messages.res_id, other.id)
        self.assertEqual(len(mails), 1)

    def test_acknowledgement_limit_per_hour(self):
        self.set_param(ACK_LIMIT, 1)
        start = Datetime.now()
        acknowledged = []
        for minutes in (0, 30, 59, 61, 62):
            ticket = self.tickets_of(self.chat(email="visitor@example.com"))
            with freeze_time(start + timedelta(minutes=minutes)):
                self.send_acknowledgements()
            messages, _mails = self.acknowledgements_to("visitor@example.com")
            if ticket.id in messages.mapped("res_id"):
                acknowledged.append(minutes)
        self.assertEqual(acknowledged, [0, 61])

    def test_acknowledgement_limit_across_tickets_of_operators(self):
        # Tickets the operators make of conversations count too.
        self.set_param(ACK_LIMIT, 1)
        self.team.sudo().use_acknowledgement = True
        first = self.tickets_of(self.chat(email="visitor@example.com"))
        self.send_acknowledgements()
        script = self.contact_bot()
        channel = self.answer_contact_bot(script, "visitor@example.com")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Cannot log in")
        second = self.tickets_of(channel)
        self.assertEqual(second.partner_email, "visitor@example.com")
        self.send_acknowledgements()
        messages, _mails = self.acknowledgements_to("visitor@example.com")
        self.assertEqual(messages.mapped("res_id"), first.ids)


@tagged("post_install", "-at_install")
class TestChatbotCustomer(ChatbotTicketCase):
    """Visitors who are not logged in prove nothing about the address they
    type: a ticket in the name of a known contact reaches nobody's portal."""

    def assertPortalCannotRead(self, ticket, user):
        self.authenticate(user.login, user.login)
        with mute_logger("odoo.http"):
            self.assertAccessRefused(
                "helpdesk.ticket", "read", [ticket.ids, ["name", "description"]]
            )
        self.assertFalse(
            self.call_kw("helpdesk.ticket", "search", [[("id", "=", ticket.id)]])
        )
        response = self.url_open(f"/my/tickets/{ticket.id}", allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(ticket.name, response.text)
        response = self.url_open("/my/tickets")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(ticket.name, response.text)
        self.assertNotIn(f"/my/tickets/{ticket.id}", response.text)

    def test_address_of_portal_user(self):
        portal_partner = self.portal_user.partner_id
        for email in [
            "paula.portal@example.com",
            "Paula.Portal@EXAMPLE.com",
            "PAULA.PORTAL@EXAMPLE.COM",
        ]:
            with self.subTest(email=email):
                channel = self.chat(email=email, problem="Refund my order to me")
                ticket = self.tickets_of(channel)
                self.assertEqual(len(ticket), 1)
                self.assertEqual(ticket.partner_id, portal_partner)
                self.assertEqual(email_normalize(ticket.partner_email), email.lower())
                self.assertNotIn(portal_partner, ticket.message_partner_ids)
                self.assertFalse(
                    ticket.message_partner_ids & self.env.ref("base.public_partner")
                )
                self.assertPortalCannotRead(ticket, self.portal_user)
                self.assertTrue(ticket.customer_unverified)
                # The visitor changed nothing of the contact.
                self.assertEqual(portal_partner.email, "paula.portal@example.com")
                self.assertEqual(portal_partner.name, "Paula Portal")

    def test_address_of_contact_verified_by_acknowledgement_link(self):
        channel = self.chat(email="paula.portal@example.com")
        ticket = self.tickets_of(channel)
        self.send_acknowledgements()
        messages, mails = self.acknowledgements_to("paula.portal@example.com")
        self.assertEqual(messages.res_id, ticket.id)
        self.assertTrue(mails)
        self.assertNotIn(self.portal_user.partner_id, ticket.message_partner_ids)
        self.assertPortalCannotRead(ticket, self.portal_user)
        self.assertTrue(ticket.customer_unverified)
        # Tokens of other tickets verify nothing.
        other = self.tickets_of(self.chat(email="someone@example.com"))
        self.authenticate(None, None)
        self.url_open(f"/my/tickets/{ticket.id}?access_token={other.access_token}")
        self.url_open(f"/my/tickets/{ticket.id}?access_token=")
        self.env.invalidate_all()
        self.assertTrue(ticket.customer_unverified)
        self.assertPortalCannotRead(ticket, self.portal_user)

        # The link of the acknowledgement, that only the address received.
        self.authenticate(None, None)
        response = self.url_open(
            f"/my/tickets/{ticket.id}?access_token={ticket.access_token}"
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertFalse(ticket.customer_unverified)
        self.assertIn(self.portal_user.partner_id, ticket.message_partner_ids)
        self.authenticate(self.portal_user.login, self.portal_user.login)
        (data,) = self.call_kw("helpdesk.ticket", "read", [ticket.ids, ["name"]])
        self.assertEqual(data["name"], ticket.name)

    def test_address_of_contact_without_user(self):
        contact = self.env["res.partner"].create(
            {"name": "Vera Vendor", "email": "vera@vendor.example"}
        )
        ticket = self.tickets_of(self.chat(email="Vera@Vendor.example"))
        self.assertEqual(ticket.partner_id, contact)
        self.assertNotIn(contact, ticket.message_partner_ids)
        self.assertEqual(contact.name, "Vera Vendor")
        self.assertTrue(ticket.customer_unverified)

    def test_unknown_address(self):
        ticket = self.tickets_of(self.chat(email="newcomer@example.com"))
        contact = ticket.partner_id
        self.assertEqual(contact.email_normalized, "newcomer@example.com")
        self.assertEqual(
            self.env["res.partner"].search(
                [("email_normalized", "=", "newcomer@example.com")]
            ),
            contact,
        )
        # The next visitor typing that address is not the first one: the
        # contact now exists.
        again = self.tickets_of(self.chat(email="Newcomer@Example.com"))
        self.assertEqual(again.partner_id, contact)
        self.assertNotIn(contact, again.message_partner_ids)
        self.assertFalse(ticket.customer_unverified)
        self.assertTrue(again.customer_unverified)

    def test_logged_in_visitor_keeps_own_partner(self):
        for email in [
            "maria.manager@example.com",
            "newcomer@example.com",
            "paula.portal@example.com",
        ]:
            with self.subTest(email=email):
                ticket = self.tickets_of(self.chat(email=email, login="hdlc_portal"))
                self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
                self.assertFalse(ticket.customer_unverified)
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "newcomer@example.com")])
        )

    def assertSafeCustomer(self, ticket, email):
        """The customer of ``ticket`` is the address the visitor typed in the
        email question, and no name keeps what could pass for an address or
        a header (a contact may be named after its own address)."""
        self.assertEqual(email_normalize(ticket.partner_email), email)
        self.assertEqual(ticket.partner_id.email_normalized, email)
        for name in (ticket.partner_name or "", ticket.partner_id.name or ""):
            name = name.lower().replace(email, "")
            for character in NAME_FORBIDDEN_CHARACTERS:
                self.assertNotIn(character, name)

    def assertNothingToAttacker(self):
        self.assertFalse(
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email", "ilike", "evil.example")])
        )
        mails = self.env["mail.mail"].search([("model", "=", "helpdesk.ticket")])
        for mail in mails:
            self.assertNotIn("evil.example", mail.email_to or "")
            self.assertNotIn("evil.example", mail.email_cc or "")
            self.assertNotIn(
                "evil.example", " ".join(mail.recipient_ids.mapped("email"))
            )

    def test_guest_name_never_changes_the_address(self):
        for index, guest_name in enumerate(HOSTILE_GUEST_NAMES):
            email = f"visitor{index}@example.com"
            with self.subTest(guest_name=guest_name):
                channel = self.chat(email=email, guest_name=guest_name)
                self.assertEqual(
                    channel.livechat_customer_guest_ids.name, guest_name.strip()
                )
                ticket = self.tickets_of(channel)
                self.assertEqual(len(ticket), 1)
                self.assertSafeCustomer(ticket, email)
                self.assertFalse(ticket.customer_unverified)
        self.send_acknowledgements()
        self.assertNothingToAttacker()

    def test_guest_name_with_address_of_known_contact(self):
        channel = self.chat(
            email="paula.portal@example.com",
            guest_name="Paula Portal <attacker@evil.example>",
        )
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        self.assertSafeCustomer(ticket, "paula.portal@example.com")
        self.send_acknowledgements()
        self.assertNothingToAttacker()
        self.assertNotIn(self.portal_user.partner_id, ticket.message_partner_ids)
        self.assertPortalCannotRead(ticket, self.portal_user)
        self.assertTrue(ticket.customer_unverified)

    def test_guest_name_in_ticket_of_operator(self):
        script = self.contact_bot()
        self.team.sudo().use_acknowledgement = True
        for index, guest_name in enumerate(HOSTILE_GUEST_NAMES[:6]):
            email = f"guest{index}@example.com"
            with self.subTest(guest_name=guest_name):
                channel = self.open_session(chatbot_script_id=script.id)
                self.make_jsonrpc_request(
                    "/mail/guest/update_name",
                    {
                        "guest_id": channel.livechat_customer_guest_ids.id,
                        "name": guest_name,
                    },
                )
                self.post_as_current_session(channel, email)
                self.make_jsonrpc_request(
                    "/chatbot/step/validate_email", {"channel_id": channel.id}
                )
                self.make_jsonrpc_request(
                    "/chatbot/step/trigger", {"channel_id": channel.id}
                )
                self.authenticate(self.operator.login, self.operator.login)
                self.call_ticket_command(channel, "/ticket Cannot log in")
                self.assertSafeCustomer(self.tickets_of(channel), email)
        # Without any address, the name alone makes no customer.
        self.livechat_channel.rule_ids = False
        for guest_name in HOSTILE_GUEST_NAMES[:3]:
            with self.subTest(guest_name=guest_name, email=None):
                channel = self.open_session()
                self.make_jsonrpc_request(
                    "/mail/guest/update_name",
                    {
                        "guest_id": channel.livechat_customer_guest_ids.id,
                        "name": guest_name,
                    },
                )
                self.post_as_current_session(channel, "Hello, I cannot log in")
                self.authenticate(self.operator.login, self.operator.login)
                self.call_ticket_command(channel, "/ticket No address")
                ticket = self.tickets_of(channel)
                self.assertEqual(len(ticket), 1)
                self.assertFalse(ticket.partner_id)
                self.assertFalse(ticket.partner_email)
                for character in NAME_FORBIDDEN_CHARACTERS:
                    self.assertNotIn(character, ticket.partner_name or "")
        self.send_acknowledgements()
        self.assertNothingToAttacker()


@tagged("post_install", "-at_install")
class TestRateLimitsSharedWithWebsiteForm(ChatbotTicketCase):
    """The website form and the chatbot count the tickets of a client and of
    an address together (when the website form is installed)."""

    def setUp(self):
        super().setUp()
        if not self.env["ir.module.module"].search_count(
            [("name", "=", "helpdesk_intake_website"), ("state", "=", "installed")]
        ):
            self.skipTest("the website form is not installed")
        self.web_team = self.env["helpdesk.team"].create(
            {
                "name": "Web Support",
                "website_id": self.env.ref("website.default_website").id,
                "use_website_form": True,
                "privacy_visibility": "portal",
            }
        )

    def post_form(self, email):
        """Post the website form of the team from the test client, as a
        visitor who is not logged in; return the JSON answer."""
        self.authenticate(None, None)
        response = self.url_open(
            "/website/form/helpdesk.ticket",
            data={
                "partner_name": "Carla Customer",
                "partner_email": email,
                "name": "The checkout page is blank",
                "description": "Hello,\nthe checkout page stays blank.",
                "team_id": str(self.web_team.id),
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_per_network(self):
        self.set_param(RATE_LIMIT, 3)
        self.assertTrue(self.post_form("web1@example.com").get("id"))
        self.assertEqual(len(self.tickets_of(self.chat(email="chat1@example.com"))), 1)
        self.assertTrue(self.post_form("web2@example.com").get("id"))
        self.assertNoTicket(self.chat(email="chat2@example.com"))
        self.assertTrue(self.post_form("web3@example.com").get("error"))
        self.assertFalse(
            self.env["helpdesk.ticket"].search(
                [("partner_email", "in", ["chat2@example.com", "web3@example.com"])]
            )
        )

    def test_chatbot_uses_up_the_form(self):
        self.set_param(RATE_LIMIT, 2)
        for index in range(2):
            channel = self.chat(email=f"chat{index}@example.com")
            self.assertEqual(len(self.tickets_of(channel)), 1)
        result = self.post_form("web@example.com")
        self.assertTrue(result.get("error"))
        self.assertFalse(result.get("id"))
        self.assertFalse(
            self.env["helpdesk.ticket"].search([("team_id", "=", self.web_team.id)])
        )

    def test_per_address(self):
        self.set_param(RATE_LIMIT_EMAIL, 2)
        self.assertTrue(self.post_form("visitor@example.com").get("id"))
        channel = self.chat(email="Visitor@Example.com")
        self.assertEqual(len(self.tickets_of(channel)), 1)
        self.assertTrue(self.post_form("VISITOR@example.com").get("error"))
        self.assertNoTicket(self.chat(email="visitor@example.com"))
        self.assertTrue(self.post_form("other@example.com").get("id"))
        self.assertEqual(
            len(self.tickets_of(self.chat(email="someone@example.com"))), 1
        )
