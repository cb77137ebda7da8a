from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestSidePanel(HelpdeskLivechatCase):
    def session_data(self, channel):
        data = self.make_jsonrpc_request(
            "/mail/data",
            {
                "fetch_params": [
                    ["/im_livechat/session/data", {"channel_id": channel.id}]
                ]
            },
        )
        (channel_data,) = [c for c in data["discuss.channel"] if c["id"] == channel.id]
        return channel_data, data

    def create_tickets(self, names, **values):
        return self.env["helpdesk.ticket"].create(
            [{"name": name, "team_id": self.team.id, **values} for name in names]
        )

    def test_open_tickets_of_a_logged_in_visitor(self):
        customer = self.user_portal.partner_id
        old, *recent = self.create_tickets(
            [f"Old issue {n}" for n in range(6)], partner_id=customer.id
        )
        closed = self.create_tickets(["Closed"], partner_id=customer.id)
        closed.stage_id = self.stage_solved
        others = self.create_tickets(["Someone else's"], partner_id=self.customer.id)
        # A contact of the visitor's company is not the visitor, but a contact
        # under the visitor is theirs.
        child = self.env["res.partner"].create(
            {"name": "Jane's assistant", "parent_id": customer.id}
        )
        of_child = self.create_tickets(["Assistant's"], partner_id=child.id)

        channel = self.open_session(self.user_portal.login)
        self.post_as_current_session(channel, "Still broken")
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Still broken")
        this_one = self.tickets_of(channel)

        channel_data, data = self.session_data(channel)
        listed = self.env["helpdesk.ticket"].browse(
            channel_data["helpdesk_visitor_ticket_ids"]
        )
        self.assertEqual(len(listed), 5)
        self.assertEqual(listed[0], of_child, "newest first")
        self.assertEqual(set(listed[1:].ids), {t.id for t in recent[1:]})
        self.assertNotIn(old, listed)
        self.assertFalse(listed & (closed | others | this_one))
        self.assertEqual(channel_data["helpdesk_ticket_ids"], this_one.ids)
        names = {t["id"]: t["display_name"] for t in data["helpdesk.ticket"]}
        self.assertEqual(names[of_child.id], of_child.display_name)

    def test_open_tickets_by_the_email_given_to_the_bot(self):
        given = self.create_tickets(
            ["By email"], partner_name="Guest", partner_email="Guest@Example.com"
        )
        self.create_tickets(
            ["Other email"], partner_name="Guest", partner_email="guest@example.org"
        )
        script = self.contact_bot()
        channel = self.answer_contact_bot(script, "guest@example.com")
        self.authenticate(self.operator.login, self.operator.login)
        channel_data, _data = self.session_data(channel)
        self.assertEqual(channel_data["helpdesk_visitor_ticket_ids"], given.ids)

    def test_anonymous_visitor_has_none(self):
        self.create_tickets(
            ["Public"], partner_id=self.env.ref("base.public_partner").id
        )
        channel = self.open_session()
        self.authenticate(self.operator.login, self.operator.login)
        channel_data, _data = self.session_data(channel)
        self.assertEqual(channel_data["helpdesk_visitor_ticket_ids"], [])

    def test_operator_without_helpdesk_access(self):
        self.create_tickets(["Hidden"], partner_id=self.user_portal.partner_id.id)
        operator = new_test_user(
            self.env,
            login="chat_only_operator",
            groups="base.group_user,im_livechat.im_livechat_group_user",
        )
        channel = self.open_session(self.user_portal.login)
        channel.sudo()._add_members(users=operator)
        self.authenticate(operator.login, operator.login)
        channel_data, data = self.session_data(channel)
        self.assertNotIn("helpdesk_visitor_ticket_ids", channel_data)
        self.assertNotIn("helpdesk.ticket", data)

    def test_title_suggestion(self):
        channel = self.open_session()
        self.post_as_current_session(channel, "<p><br></p>")
        self.post_as_current_session(
            channel,
            "<p>  </p>"
            "<p>My printer prints &lt;b&gt;blank&lt;/b&gt; pages</p>"
            "<p>Help</p>",
        )
        self.post_as_current_session(channel, "Second message")
        self.authenticate(self.operator.login, self.operator.login)
        channel.with_user(self.operator).message_post(
            body="Hello, how can I help?", message_type="comment"
        )
        self.assertEqual(
            self.call_channel_method(channel, "helpdesk_ticket_title_suggestion"),
            "My printer prints <b>blank</b> pages",
            "the text the visitor typed, not markup",
        )
        # A conversation where the visitor said nothing yet.
        self.assertEqual(
            self.call_channel_method(
                self.open_session_as_operator(), "helpdesk_ticket_title_suggestion"
            ),
            "",
        )

    def open_session_as_operator(self):
        channel = self.open_session()
        self.authenticate(self.operator.login, self.operator.login)
        return channel

    @mute_logger("odoo.http")
    def test_title_suggestion_for_operators_only(self):
        channel = self.open_session()
        self.post_as_current_session(channel, "Secret problem")
        for login in (None, self.user_hd_agent2.login):
            self.authenticate(login, login)
            with self.assertRaises(JsonRpcException):
                self.call_channel_method(channel, "helpdesk_ticket_title_suggestion")
