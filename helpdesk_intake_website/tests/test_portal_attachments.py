from odoo.tests import new_test_user, tagged

from .common import HelpdeskWebsiteCommon


@tagged("post_install", "-at_install")
class TestPortalAttachments(HelpdeskWebsiteCommon):
    def chatter_attachments(self, ticket):
        result = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": "helpdesk.ticket", "thread_id": ticket.id},
        )
        return {
            attachment["name"]
            for message in result["data"]["mail.message"]
            for attachment in message.get("attachment_ids", [])
        }

    def test_customer_finds_the_form_files_in_the_portal(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.post_form(
            files=[("Attachments", ("receipt.txt", b"order #42", "text/plain"))],
            partner_email=self.portal_user.email,
            csrf_token=self.csrf_token(self.team.website_url),
        )
        ticket = self.tickets()
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        self.assertEqual(self.chatter_attachments(ticket), {"receipt.txt"})
        message = ticket.message_ids.filtered("attachment_ids")
        self.assertEqual(message.author_id, ticket.partner_id)
        self.assertFalse(message.is_internal)

        stranger = new_test_user(
            self.env, login="hdw_stranger", groups="base.group_portal"
        )
        self.authenticate(stranger.login, stranger.login)
        self.assertFalse(self.chatter_attachments(ticket), "others see nothing")
