import re

from freezegun import freeze_time
from markupsafe import Markup, escape

from odoo.fields import Command
from odoo.tests import tagged

from .common import HelpdeskLivechatCase, HelpdeskLivechatCommon

SCRIPT = "<script>alert('pwned')</script> & <b>bold</b>"


@tagged("post_install", "-at_install")
class TestTranscript(HelpdeskLivechatCase):
    def test_long_conversation_with_attachments(self):
        channel = self.open_session()
        guest = channel.livechat_customer_guest_ids
        # The visitor types HTML: the chat window sends it escaped, and it must
        # come back as text, never as markup.
        self.post_as_current_session(channel, escape(SCRIPT))
        self.authenticate(self.operator.login, self.operator.login)

        Attachment = self.env["ir.attachment"]
        values = []
        for index in range(1, 300):
            from_visitor = index % 2
            attachment_ids = []
            if index % 50 == 0:
                attachment_ids = Attachment.create(
                    {
                        "name": f"screenshot-{index}.png",
                        "raw": b"fake image",
                        "res_model": "discuss.channel",
                        "res_id": channel.id,
                    }
                ).ids
            values.append(
                {
                    "model": "discuss.channel",
                    "res_id": channel.id,
                    "message_type": "comment",
                    # What the composer sends: escaped text, a <br> per new line.
                    "body": Markup("message %s line one<br>line two") % index,
                    "author_id": False if from_visitor else self.operator.partner_id.id,
                    "author_guest_id": guest.id if from_visitor else False,
                    "attachment_ids": [(6, 0, attachment_ids)],
                }
            )
        self.env["mail.message"].create(values)
        # A message its author deleted, and a join notice: neither is said.
        deleted = channel.message_post(body="oops", message_type="comment")
        channel._message_update_content(deleted, body="")
        channel.message_post(body="Oscar joined", message_type="notification")

        self.call_ticket_command(channel, "/ticket Long chat")
        description = self.tickets_of(channel).description

        blocks = re.findall(
            r"<p><strong>(.*?)</strong> (.*?)<br>(.*?)</p>", description
        )
        self.assertEqual(len(blocks), 300, "one block per message")
        self.assertEqual(blocks[0][0], guest.name)
        self.assertEqual(blocks[2][0], self.operator.name)
        self.assertTrue(
            all(when for _author, when, _text in blocks), "every message has its time"
        )
        self.assertEqual("message 1 line one<br>line two", blocks[1][2])
        self.assertIn("message 299 line one", blocks[-1][2])
        self.assertNotIn("oops", description)
        self.assertNotIn("Oscar joined", description)

        self.assertNotIn("<script", description)
        self.assertNotIn("<b>bold", description)
        self.assertIn("&lt;script&gt;alert", description)
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", description)

        attachments = channel.message_ids.attachment_ids
        self.assertEqual(len(attachments), 5)
        for attachment in attachments:
            url = f"/web/content/{attachment.id}?access_token={attachment.access_token}"
            self.assertIn(
                f'<a href="{url}&amp;download=true">{attachment.name}</a>',
                description,
            )
        # Times are those of the team's working hours.
        tz = self.team.resource_calendar_id.tz
        self.assertIn(f"(times in {tz})", description)


@tagged("post_install", "-at_install")
class TestChannelHistory(HelpdeskLivechatCommon):
    def test_transcript_extends_odoo_history(self):
        channel = self.env["discuss.channel"].create(
            {
                "name": "History",
                "channel_type": "livechat",
                "livechat_channel_id": self.livechat_channel.id,
                "livechat_operator_id": self.operator.partner_id.id,
                "channel_member_ids": [
                    Command.create({"partner_id": self.operator.partner_id.id}),
                    Command.create({"guest_id": self.guest.id}),
                ],
            }
        )
        with freeze_time("2026-03-10 15:00:00"):
            for body in ("First", "Second"):
                channel.with_user(self.operator).message_post(
                    body=body, message_type="comment"
                )
        author = self.operator.name
        # Odoo's own history (what /lead writes) keeps its shape.
        self.assertEqual(
            channel._get_channel_history(),
            f"<br/><strong>{author}:</strong><br/>First<br/>Second<br/>",
        )
        # The ticket's: a block per message, its time in the team's zone.
        transcript = channel._helpdesk_transcript("America/Bogota")
        self.assertIn("(times in America/Bogota)", transcript)
        for body in ("First", "Second"):
            # 15:00 UTC is 10:00 in Bogota.
            self.assertRegex(
                transcript,
                rf"<p><strong>{author}</strong> 03/10/2026 10:00:00[^<]*"
                rf"<br/>{body}</p>",
            )
