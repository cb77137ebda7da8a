from odoo import http
from odoo.tests import tagged

from .common import HelpdeskLivechatCase

MEGABYTE = 1024 * 1024


@tagged("post_install", "-at_install")
class TestTicketAttachments(HelpdeskLivechatCase):
    def send_file(self, channel, name, content):
        """Upload a file and send it in ``channel`` as the chat window does."""
        response = self.url_open(
            "/mail/attachment/upload",
            {
                "csrf_token": http.Request.csrf_token(self),
                "thread_id": channel.id,
                "thread_model": "discuss.channel",
                "is_pending": "true",
            },
            files={"ufile": (name, content)},
        )
        response.raise_for_status()
        data = response.json()["data"]
        (attachment,) = data["store_data"]["ir.attachment"]
        return self.post_as_current_session(
            channel,
            "",
            attachment_ids=[attachment["id"]],
            attachment_tokens=[attachment["ownership_token"]],
        )

    def ticket_files(self, ticket):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )

    def test_files_copied_within_the_form_limits(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("helpdesk_intake_website.max_attachments", 2)
        params.set_param("helpdesk_intake_website.max_attachment_size", 1)
        channel = self.open_session()
        self.post_as_current_session(channel, "Here is the error")
        sent = [
            self.send_file(channel, "error.txt", b"Error 42").attachment_ids,
            self.send_file(channel, "huge.log", b"x" * (MEGABYTE + 1)).attachment_ids,
            self.send_file(channel, "limit.bin", b"y" * MEGABYTE).attachment_ids,
            self.send_file(channel, "third.txt", b"one too many").attachment_ids,
        ]
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Error 42")
        ticket = self.tickets_of(channel)

        files = self.ticket_files(ticket)
        self.assertEqual(sorted(files.mapped("name")), ["error.txt", "limit.bin"])
        error_file = files.filtered(lambda a: a.name == "error.txt")
        self.assertEqual(error_file.raw, b"Error 42")
        self.assertNotIn(error_file, sent[0], "a copy, not the chat's file")
        # The chat keeps its files: the transcript links to all of them.
        for attachment in sent:
            self.assertEqual(attachment.res_model, "discuss.channel")
            self.assertIn(attachment.name, ticket.description)
        note = channel.message_ids.filtered(
            lambda m: "created from this conversation" in (m.body or "")
        )
        self.assertIn("huge.log, third.txt", note.body)

        # Deleting the chat's file leaves the ticket's copy.
        sent[0].sudo().unlink()
        self.assertTrue(error_file.exists())
        self.assertEqual(error_file.raw, b"Error 42")

    def test_default_limits(self):
        channel = self.open_session()
        for index in range(6):
            self.send_file(channel, f"shot{index}.png", b"\x89PNG" + bytes([index]))
        self.authenticate(self.operator.login, self.operator.login)
        self.call_ticket_command(channel, "/ticket Screenshots")
        files = self.ticket_files(self.tickets_of(channel))
        self.assertEqual(len(files), 5, "the website form's default: 5 files")
        self.assertNotIn("shot5.png", files.mapped("name"))
