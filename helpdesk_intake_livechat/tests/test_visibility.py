from odoo.tests import tagged

from .common import HelpdeskLivechatCase


@tagged("post_install", "-at_install")
class TestPrivateTeamLivechat(HelpdeskLivechatCase):
    def test_ticket_command_in_a_private_team(self):
        # the operator of the channel is no member of the private team
        self.team.write(
            {
                "privacy_visibility": "invited_internal",
                "member_ids": [(6, 0, self.user_hd_agent3.ids)],
            }
        )
        channel = self.open_session()
        self.post_as_current_session(channel, "Hello, the invoice is wrong")
        self.authenticate(self.operator.login, self.operator.login)
        with self.capture_transient_messages() as sent:
            self.call_ticket_command(channel, "/ticket Wrong invoice")
        ticket = self.tickets_of(channel)
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertIn(f"Wrong invoice (#{ticket.ref})", sent[0][2])
        # the operator who handed the conversation over follows the ticket
        self.assertTrue(ticket.with_user(self.operator).has_access("read"))
        self.assertTrue(ticket.with_user(self.user_hd_agent3).has_access("read"))
        self.assertFalse(ticket.with_user(self.user_hd_agent2).has_access("read"))
