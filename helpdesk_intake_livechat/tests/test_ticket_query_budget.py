from markupsafe import Markup

from odoo.fields import Command
from odoo.tests import tagged

from .common import HelpdeskLivechatCommon

# A 1x1 PNG: chat screenshots take the path of real images.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08"
    b"\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?"
    b"\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


@tagged("post_install", "-at_install", "mail_performance")
class TestTicketCommandQueryBudget(HelpdeskLivechatCommon):
    def conversation(self, length):
        """A live chat conversation of ``length`` messages between a guest
        and the operator, with a screenshot every tenth message."""
        guest = self.env["mail.guest"].create({"name": f"Visitor of {length}"})
        channel = self.env["discuss.channel"].create(
            {
                "name": f"Chat of {length}",
                "channel_type": "livechat",
                "livechat_channel_id": self.livechat_channel.id,
                "livechat_operator_id": self.operator.partner_id.id,
                "channel_member_ids": [
                    Command.create(
                        {
                            "partner_id": self.operator.partner_id.id,
                            "livechat_member_type": "agent",
                        }
                    ),
                    Command.create(
                        {"guest_id": guest.id, "livechat_member_type": "visitor"}
                    ),
                ],
            }
        )
        from_visitor = {"author_id": False, "author_guest_id": guest.id}
        from_operator = {"author_id": self.operator.partner_id.id}
        self.env["mail.message"].create(
            [
                {
                    "model": "discuss.channel",
                    "res_id": channel.id,
                    "message_type": "comment",
                    "body": Markup(
                        'Message %s<br>see <a href="https://example.com/%s">this</a>'
                    )
                    % (index, index),
                    **(from_operator if index % 2 else from_visitor),
                    "attachment_ids": [
                        Command.create(
                            {
                                "name": f"screenshot-{index}.png",
                                "raw": PNG,
                                "res_model": "discuss.channel",
                                "res_id": channel.id,
                            }
                        )
                    ]
                    if index % 10 == 0
                    else [],
                }
                for index in range(length)
            ]
        )
        return channel.with_user(self.operator)

    def ticket_command_queries(self, channel, title):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        channel.execute_command_ticket(body=f"/ticket {title}")
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_queries_do_not_grow_with_the_conversation(self):
        short, long = self.conversation(20), self.conversation(200)
        # Warm-up: registry and ORM caches, the ticket sequence, the team's
        # stages.
        self.ticket_command_queries(self.conversation(5), "Warm-up")

        self.env.invalidate_all()
        # The whole command, as the operator, on a guest's conversation: the
        # team and its time zone, the conversation's messages (one query),
        # files and visitor, the ticket (reference, assignment, stage and
        # company in its insert, followers, SLA; the guest gave no address,
        # so no acknowledgement lookup), the copy of the first five files in
        # one insert, the note left in the conversation, the ticket list sent
        # to the operator's side panel (without the transcript) and the
        # reply. Measured: 44.
        with self.assertQueryCount(46):
            short.execute_command_ticket(body="/ticket Short chat")
        self.assertEqual(
            self.ticket_command_queries(self.conversation(20), "Short again"),
            self.ticket_command_queries(long, "Long chat"),
            "as many queries for 200 messages as for 20",
        )

        Ticket = self.env["helpdesk.ticket"]
        for channel, files in ((short, 2), (long, 5)):
            ticket = Ticket.search([("origin_channel_id", "=", channel.id)])
            self.assertEqual(len(ticket), 1)
            self.assertEqual(
                self.env["ir.attachment"].search_count(
                    [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
                ),
                files,
            )
        long_ticket = Ticket.search([("origin_channel_id", "=", long.id)])
        self.assertEqual(long_ticket.description.count("<strong>"), 200)
