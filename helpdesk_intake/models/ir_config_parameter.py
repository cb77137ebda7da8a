import secrets

from odoo import api, models

# The secret the mail gateway script presents (see controllers/mailgate.py).
MAILGATE_SECRET_PARAM = "helpdesk_intake.mailgate_secret"
MAILGATE_MAX_BYTES_PARAM = "helpdesk_intake.mailgate_max_bytes"


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def _helpdesk_init_mailgate_secret(self):
        """Give the database its mail gateway secret, once."""
        if not self.sudo().get_param(MAILGATE_SECRET_PARAM):
            self.sudo().set_param(MAILGATE_SECRET_PARAM, secrets.token_urlsafe(32))
