import math

from odoo import api, fields, models

# Types of the team's ticket properties a visitor may fill in. Relational
# properties are left out: a visitor would name records by id, records the
# form never showed them.
VISITOR_PROPERTY_TYPES = {
    "char",
    "text",
    "integer",
    "float",
    "boolean",
    "selection",
    "tags",
    "date",
    "datetime",
}
# Longest value of a one-line text property typed by a visitor.
PROPERTY_CHAR_MAX_LENGTH = 256


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    partner_company_name = fields.Char(
        string="Company Name",
        help="Company the customer named in the website form.",
    )

    @api.model
    def _website_form_safe_fields(self):
        """Fields a website visitor may fill in: the one list of them.

        The module registers it as the form builder's whitelist of tickets
        (data/ir_model_data.xml), and caps with it the fields that the website
        editor offers and that a form may write (``ir.model``
        ``get_authorized_fields``): website designers whitelist any field they
        drop in a form when they save it, so the cap, not the whitelist, keeps
        staff fields (assignee, stage, priority, company...) out of visitors'
        hands. The team is safe because the form controller checks it against
        the page's website and publication. The properties are those of the
        posted team only, one input each (``_website_form_property_value``).
        """
        return {
            "name",
            "description",
            "partner_name",
            "partner_email",
            "partner_phone",
            "partner_company_name",
            "team_id",
            "properties",
        }

    @api.model
    def _website_form_property_allowed(self, definition):
        """Whether visitors may fill in the ticket property of ``definition``
        (a pseudo-field of ``ir.model`` ``get_authorized_fields``)."""
        return (
            definition["_property"]["field"] == "properties"
            and definition.get("type") in VISITOR_PROPERTY_TYPES
        )

    @api.model
    def _website_form_property_value(self, definition, value):
        """The value to store of a visitor's input ``value`` (as read by the
        form controller) for the property of ``definition``; ValueError when
        it does not fit the property."""
        kind = definition["type"]
        if kind not in VISITOR_PROPERTY_TYPES:
            raise ValueError(kind)
        if kind in ("char", "text"):
            if not isinstance(value, str) or (
                kind == "char" and len(value) > PROPERTY_CHAR_MAX_LENGTH
            ):
                raise ValueError(kind)
            return value.strip() if kind == "char" else value
        if kind == "integer":
            return int(value)
        if kind == "float":
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(kind)
            return number
        if kind == "boolean":
            return bool(value)
        if kind == "selection":
            if value not in {option[0] for option in definition.get("selection", [])}:
                raise ValueError(kind)
            return value
        if kind == "tags":
            tags = {tag[0] for tag in definition.get("tags", [])}
            if not isinstance(value, list) or not set(value) <= tags:
                raise ValueError(kind)
            return value
        if kind == "date":
            return fields.Date.to_string(fields.Date.to_date(value))
        return fields.Datetime.to_string(fields.Datetime.to_datetime(value))
