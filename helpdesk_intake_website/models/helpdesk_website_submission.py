from datetime import timedelta

from odoo import api, fields, models

# Limits of the website form, as system parameters, with their defaults (the
# rate limits, shared with the chat bot, are helpdesk_intake's).
FORM_LIMITS = {
    "max_attachments": ("helpdesk_intake_website.max_attachments", 5),
    "max_attachment_size": ("helpdesk_intake_website.max_attachment_size", 10),
}


class HelpdeskWebsiteSubmission(models.Model):
    """One row per ticket created through the website form, kept for a day,
    for administrators to see who submitted what."""

    _name = "helpdesk.website.submission"
    _description = "Website Ticket Submission"
    _order = "id desc"

    ip_address = fields.Char(string="IP Address", required=True, readonly=True)
    website_id = fields.Many2one("website", readonly=True, ondelete="cascade")
    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True, ondelete="cascade")

    _ip_address_date_idx = models.Index("(ip_address, create_date)")

    @api.model
    def _get_form_limit(self, name):
        key, default = FORM_LIMITS[name]
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            return default

    @api.autovacuum
    def _gc_old_submissions(self):
        yesterday = fields.Datetime.now() - timedelta(days=1)
        self.sudo().search([("create_date", "<", yesterday)]).unlink()
