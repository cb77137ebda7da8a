from odoo.http import request

from .website_form import TICKET_MODEL, WebsiteForm


class WebsiteFormAttachments(WebsiteForm):
    def insert_attachment(self, model_sudo, id_record, files):
        res = super().insert_attachment(model_sudo, id_record, files)
        if model_sudo.model == TICKET_MODEL and files:
            self._helpdesk_share_attachments(
                request.env[TICKET_MODEL].sudo().browse(id_record)
            )
        return res

    def _helpdesk_share_attachments(self, ticket):
        """The form builder logs the files sent with the form as an internal
        note: make it the customer's own message, so that the customer finds
        the files in the ticket's conversation in the portal (with the access
        of the ticket's portal page, as the other messages)."""
        attachments = (
            request.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", TICKET_MODEL), ("res_id", "=", ticket.id)])
        )
        messages = ticket.message_ids.filtered(
            lambda message: (
                message.attachment_ids & attachments
                and message.subtype_id == request.env.ref("mail.mt_note")
            )
        )
        values = {
            "subtype_id": request.env.ref("mail.mt_comment").id,
            "is_internal": False,
        }
        if not ticket.customer_unverified:
            # an unproven address sent nothing in the contact's name
            values["author_id"] = ticket.partner_id.id
        messages.write(values)
