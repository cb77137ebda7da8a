from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user

CALL_KW_TICKET = "/web/dataset/call_kw/discuss.channel/execute_command_ticket"


class HelpdeskLivechatCase(HttpCase):
    """A team taking live chats, its operator, and visitors of every kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="hdlc_manager",
            name="Maria Manager",
            email="maria.manager@example.com",
            groups="helpdesk_intake.group_helpdesk_manager,im_livechat.im_livechat_group_manager",
        )
        cls.operator = new_test_user(
            cls.env,
            login="hdlc_operator",
            name="Oscar Operator",
            email="oscar.operator@example.com",
            tz="Europe/Brussels",
            groups="helpdesk_intake.group_helpdesk_user,im_livechat.im_livechat_group_user",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="hdlc_portal",
            name="Paula Portal",
            email="paula.portal@example.com",
            groups="base.group_portal",
        )
        cls.team = (
            cls.env["helpdesk.team"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Chat Support",
                    "use_livechat": True,
                    "use_acknowledgement": False,
                    "member_ids": [(6, 0, [cls.operator.id])],
                }
            )
        )
        cls.livechat_channel = cls.team.livechat_channel_id
        cls.livechat_channel.user_ids = cls.operator
        cls.env["mail.presence"]._update_presence(cls.operator)

    def open_session(self, login=None, **params):
        """Open a live chat conversation as a visitor (public when ``login`` is
        None), the way the website widget does, and return it."""
        self.authenticate(login, login)
        data = self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {"channel_id": self.livechat_channel.id, **params},
        )
        return self.env["discuss.channel"].browse(data["channel_id"])

    def post_as_current_session(self, channel, body, **post_data):
        """Post ``body`` in ``channel`` with the session of the last
        authentication, as the chat window does."""
        data = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": channel.id,
                "post_data": {"body": body, "message_type": "comment", **post_data},
            },
        )
        return self.env["mail.message"].browse(data["message_id"])

    def call_ticket_command(self, channel, body):
        """Run the command through the route the Discuss composer calls."""
        return self.make_jsonrpc_request(
            CALL_KW_TICKET,
            {
                "model": "discuss.channel",
                "method": "execute_command_ticket",
                "args": [channel.ids],
                "kwargs": {"body": body},
            },
        )

    @contextmanager
    def capture_transient_messages(self):
        """Collect the (user, channel, content) of transient chat messages."""
        sent = []

        def record(user, channel, content):
            sent.append((user, channel, content))

        model_class = type(self.env["res.users"])
        with patch.object(
            model_class,
            "_bus_send_transient_message",
            autospec=True,
            side_effect=record,
        ):
            yield sent

    def tickets_of(self, channels):
        return self.env["helpdesk.ticket"].search(
            [("origin_channel_id", "in", channels.ids)]
        )
