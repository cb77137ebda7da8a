from odoo import api, models


class MailAliasDomain(models.Model):
    _name = "mail.alias.domain"
    _inherit = "mail.alias.domain"

    # The catchall and bounce addresses are among the helpdesk's own
    # addresses (helpdesk.ticket._helpdesk_own_addresses, cached).

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()
        return domains

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
