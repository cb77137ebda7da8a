import pytz

from odoo.tests import tagged
from odoo.tests.common import HOST

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestTicketTrace(HelpdeskLivechatCase):
    def fetch_messages(self, channel):
        data = self.make_jsonrpc_request(
            "/discuss/channel/messages", {"channel_id": channel.id}
        )
        return self.env["mail.message"].browse(data["messages"])

    def authenticate_as_guest(self, guest):
        """Back to the visitor's own browser: the guest cookie of the widget."""
        self.authenticate(None, None)
        self.opener.cookies.set(
            guest._cookie_name, guest._format_auth_cookie(), domain=HOST
        )

    def note_of(self, channel, ticket):
        return channel.message_ids.filtered(
            lambda m: (
                f'data-oe-id="{ticket.id}"' in m.body
                and "created from this conversation" in m.body
            )
        )

    def test_operators_only_note(self):
        channel = self.open_session()
        guest = channel.livechat_customer_guest_ids
        question = self.post_as_current_session(channel, "My screen flickers")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Flickering screen")
        ticket = self.tickets_of(channel)

        note = self.note_of(channel, ticket)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.author_id, self.operator.partner_id)
        self.assertIn(
            f"/odoo/action-helpdesk_intake.helpdesk_ticket_action/{ticket.id}",
            note.body,
        )
        self.assertNotIn("created from this conversation", ticket.description)
        # After a reload, the operator still finds the trace...
        self.assertIn(note, self.fetch_messages(channel))
        # ...and the visitor never does, nor in the transcripts.
        self.authenticate_as_guest(guest)
        visitor_messages = self.fetch_messages(channel)
        self.assertIn(question, visitor_messages, "the visitor reads their chat")
        self.assertNotIn(note, visitor_messages)
        # The transcript mailed or downloaded from the widget.
        transcript = self.env["ir.qweb"]._render(
            "im_livechat.livechat_email_template",
            {"company": self.env.company, "channel": channel, "tz": pytz.utc},
        )
        self.assertNotIn("created from this conversation", str(transcript))

    def test_chatbot_ticket_note(self):
        script = self.env["chatbot.script"].create({"title": "Ticket bot"})
        self.env["chatbot.script.step"].create(
            [
                {
                    "chatbot_script_id": script.id,
                    "step_type": "question_email",
                    "message": "Email?",
                },
                {
                    "chatbot_script_id": script.id,
                    "step_type": "free_input_single",
                    "message": "Problem?",
                },
                {"chatbot_script_id": script.id, "step_type": "create_ticket"},
            ]
        )
        self.livechat_channel.rule_ids = [(0, 0, {"chatbot_script_id": script.id})]
        channel = self.answer_contact_bot(script, "someone@example.com")
        self.post_as_current_session(channel, "No sound")
        self.make_jsonrpc_request("/chatbot/step/trigger", {"channel_id": channel.id})
        ticket = self.tickets_of(channel)
        self.assertEqual(ticket.name, "No sound")
        note = self.note_of(channel, ticket)
        self.assertEqual(note.author_id, script.operator_partner_id)
        self.assertNotIn(note, self.fetch_messages(channel))
