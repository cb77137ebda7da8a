from odoo import api, models


class IrModel(models.Model):
    _inherit = "ir.model"

    @api.model
    def get_authorized_fields(self, model_name, property_origins):
        # Both the editor's field list and the fields a form may write
        # (_get_form_writable_fields) come from here: capping it caps both,
        # whatever fields designers whitelisted. The properties of the form's
        # team come as one pseudo-field each (``_property``).
        fields = super().get_authorized_fields(model_name, property_origins)
        if model_name == "helpdesk.ticket":
            Ticket = self.env[model_name]
            safe = Ticket._website_form_safe_fields()
            fields = {
                name: field
                for name, field in fields.items()
                if (
                    Ticket._website_form_property_allowed(field)
                    if "_property" in field
                    else name in safe
                )
            }
        return fields
