from odoo import models


class MailAlias(models.Model):
    _name = "mail.alias"
    _inherit = "mail.alias"

    def _alias_bounce_incoming_email(self, message, message_dict, set_invalid=True):
        # When a ticket fails to be created because another worker created
        # the ticket of the same email at the same moment, the email was not
        # refused: neither bounce it to the customer nor flag the alias.
        if self._is_helpdesk_duplicate(message_dict.get("message_id")):
            return
        return super()._alias_bounce_incoming_email(
            message, message_dict, set_invalid=set_invalid
        )

    def _is_helpdesk_duplicate(self, message_id):
        if not message_id or self.sudo().alias_model_id.model != "helpdesk.ticket":
            return False
        return bool(
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("email_message_id", "=", message_id)], limit=1)
        )
