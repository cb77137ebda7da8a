from contextlib import contextmanager
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import HttpCase

from odoo.addons.helpdesk_intake.tests.common import HelpdeskIntakeCommon

CALL_KW = "/web/dataset/call_kw/discuss.channel/"


class HelpdeskLivechatCommon(HelpdeskIntakeCommon):
    """The core's helpdesk (users, teams, customers) with its first team
    taking live chats: its agent is the operator of the team's channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = cls.user_hd_agent
        cls.operator.write(
            {
                "group_ids": [
                    Command.link(cls.env.ref("im_livechat.im_livechat_group_user").id)
                ],
                "tz": "Europe/Brussels",
            }
        )
        cls.team.write({"use_livechat": True, "use_acknowledgement": False})
        cls.livechat_channel = cls.team.livechat_channel_id
        cls.livechat_channel.user_ids = cls.operator
        cls.env["mail.presence"]._update_presence(cls.operator)


class HelpdeskLivechatCase(HelpdeskLivechatCommon, HttpCase):
    """The same, for the tests that chat through the routes of the widget."""

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
                "post_data": {
                    "body": body,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    **post_data,
                },
            },
        )
        return self.env["mail.message"].browse(data["message_id"])

    def call_ticket_command(self, channel, body):
        """Run the command through the route the Discuss composer calls."""
        return self.call_channel_method(channel, "execute_command_ticket", body=body)

    def call_channel_method(self, channel, method, **kwargs):
        """Call ``method`` of ``channel`` as the web client does."""
        return self.make_jsonrpc_request(
            CALL_KW + method,
            {
                "model": "discuss.channel",
                "method": method,
                "args": [channel.ids],
                "kwargs": kwargs,
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

    def contact_bot(self):
        """A chat bot script asking the visitor's email, then handing over to
        the operator, run on the team's live chat channel."""
        script = self.env["chatbot.script"].create({"title": "Contact bot"})
        self.env["chatbot.script.step"].create(
            [
                {
                    "chatbot_script_id": script.id,
                    "step_type": "question_email",
                    "message": "Email?",
                },
                {"chatbot_script_id": script.id, "step_type": "forward_operator"},
            ]
        )
        self.livechat_channel.rule_ids = [(0, 0, {"chatbot_script_id": script.id})]
        return script

    def answer_contact_bot(self, script, email):
        """Open a conversation with ``script`` as the current session and give
        it ``email``; return the conversation, now with the operator."""
        channel = self.open_session(chatbot_script_id=script.id)
        self.post_as_current_session(channel, email)
        self.make_jsonrpc_request(
            "/chatbot/step/validate_email", {"channel_id": channel.id}
        )
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        return channel
