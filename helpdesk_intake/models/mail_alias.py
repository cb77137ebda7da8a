from odoo import api, models

# Fields an address of the helpdesk is made of (see
# helpdesk.ticket._helpdesk_own_addresses, cached).
ADDRESS_FIELDS = {"alias_name", "alias_domain_id", "alias_model_id", "alias_full_name"}


class MailAlias(models.Model):
    _name = "mail.alias"
    _inherit = "mail.alias"

    @api.model_create_multi
    def create(self, vals_list):
        aliases = super().create(vals_list)
        self.env.registry.clear_cache()
        return aliases

    def write(self, vals):
        res = super().write(vals)
        if ADDRESS_FIELDS.intersection(vals):
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

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
