import json
import os

from markupsafe import Markup

from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import email_normalize

from odoo.addons.helpdesk_intake.tools import (
    has_control_characters,
    ticket_title,
)
from odoo.addons.website.controllers import form

from ..models.helpdesk_team import form_input_name

TICKET_MODEL = "helpdesk.ticket"
# Input that people never see nor fill in; robots filling every input do.
HONEYPOT_FIELD = "homepage"
MEGABYTE = 1024 * 1024
# Longest values of the customer inputs (an address is at most 254
# characters by RFC 5321; E.164 numbers have 15 digits, formatting aside).
INPUT_MAX_LENGTHS = {
    "partner_name": 128,
    "partner_email": 254,
    "partner_phone": 32,
    "partner_company_name": 128,
}


class SubmissionRefused(Exception):
    """The submission as a whole is refused, with a message for the visitor."""


class WebsiteForm(form.WebsiteForm):
    """Ticket submissions through Odoo's form builder controller: the
    checks and hooks below apply to ``/website/form/helpdesk.ticket`` only."""

    def _handle_website_form(self, model_name, **kwargs):
        if model_name != TICKET_MODEL:
            return super()._handle_website_form(model_name, **kwargs)
        refusal = self._helpdesk_refusal(kwargs)
        if refusal:
            return json.dumps({"error": refusal})
        kwargs.pop(HONEYPOT_FIELD, None)
        try:
            return super()._handle_website_form(model_name, **kwargs)
        except SubmissionRefused as refused:
            return json.dumps({"error": str(refused)})

    def extract_data(self, model_sudo, values):
        if model_sudo.model != TICKET_MODEL:
            return super().extract_data(model_sudo, values)
        posted = self._helpdesk_drop_staff_inputs(values)
        data = super().extract_data(model_sudo, posted)
        team = self._helpdesk_form_team(data["record"].get("team_id"))
        errors = self._helpdesk_field_errors(team, data, values)
        errors.update(self._helpdesk_property_errors(team, data["record"]))
        if errors:
            raise ValidationError(errors)
        self._helpdesk_check_rate_limits(data["record"])
        return data

    def insert_record(self, request, model_sudo, values, custom, meta=None):
        if model_sudo.model != TICKET_MODEL:
            return super().insert_record(request, model_sudo, values, custom, meta=meta)
        # extract_data checked the team of these values
        team = request.env["helpdesk.team"].sudo().browse(values["team_id"])
        ticket_values = self._prepare_ticket_values(team, values)
        # The form builder creates the ticket as the superuser: the team's
        # visibility keeps its tickets from the visitor, not their requests,
        # so that a private team still takes tickets from its form.
        ticket_id = super().insert_record(
            request, model_sudo, ticket_values, custom, meta=meta
        )
        ticket = request.env[TICKET_MODEL].sudo().browse(ticket_id)
        self._helpdesk_ticket_created(ticket)
        return ticket_id

    # ------------------------------------------------------------
    # HOOKS
    # ------------------------------------------------------------

    def _helpdesk_client_ip(self):
        return request.httprequest.remote_addr

    def _helpdesk_refusal(self, values):
        """Message refusing the submission as a whole, before anything is
        read from it, or None to accept it."""
        if values.get(HONEYPOT_FIELD):
            return request.env._("Your request could not be sent.")
        return None

    def _helpdesk_check_rate_limits(self, record_values):
        """Count the valid submission against the limits per client network
        and per customer address that the website form shares with the chat
        bot; raise SubmissionRefused over them."""
        Ticket = request.env[TICKET_MODEL]
        refusal = Ticket._intake_rate_limit_refusal(
            self._helpdesk_client_ip(), record_values.get("partner_email")
        )
        if refusal:
            raise SubmissionRefused(refusal)

    def _helpdesk_drop_staff_inputs(self, values):
        """Posted values without the ticket fields that visitors may not set.

        The form never writes them (``ir.model`` ``get_authorized_fields``
        keeps the writable fields to the safe ones): dropped here, a forged
        input named after one does not end up as "custom" text in the
        description either."""
        Ticket = request.env[TICKET_MODEL]
        safe = Ticket._website_form_safe_fields()
        return {
            name: value
            for name, value in values.items()
            if name not in Ticket._fields or name in safe
        }

    def _helpdesk_form_team(self, team_id):
        """The team a posted form belongs to; its form must take tickets on
        the current website."""
        team = request.env["helpdesk.team"].sudo().browse(team_id or []).exists()
        if len(team) != 1 or not team._website_form_accepts_tickets(request.website):
            raise UserError(
                request.env._("This form does not accept new requests at the moment.")
            )
        return team

    def _helpdesk_field_errors(self, team, data, values):
        """Errors to show next to the fields, by input name."""
        errors = {}
        posted = {
            form_input_name(name.split("[", 1)[0])
            for name, value in values.items()
            if (value.filename if hasattr(value, "filename") else str(value).strip())
        }
        Ticket = request.env[TICKET_MODEL]
        required = {
            name
            for name in Ticket._website_form_safe_fields()
            if Ticket._fields[name].required and not Ticket._fields[name].default
        } | team._website_form_required_fields()
        for name in required - posted:
            errors[name] = request.env._("This field is required.")
        errors.update(self._helpdesk_text_errors(values))
        email = data["record"].get("partner_email")
        if email and not email_normalize(email):
            errors["partner_email"] = request.env._(
                "Please enter a valid email address."
            )
        errors.update(self._helpdesk_attachment_errors(data["attachments"]))
        return errors

    def _helpdesk_property_errors(self, team, record_values):
        """Turn the team's properties posted with the form into the ticket's
        ``properties`` values, each checked against its definition; return
        the errors of the inputs that do not fit.

        The form builder authorizes the properties of the team posted with
        the form, the one checked above. Only their values are kept, by name:
        never a definition sent along, nor a key of another team."""
        posted = record_values.pop("properties", None) or []
        definitions = {
            definition["name"]: definition
            for definition in team.ticket_properties_definition or []
        }
        Ticket = request.env[TICKET_MODEL]
        values, errors = {}, {}
        for prop in posted:
            definition = definitions.get(prop.get("name"))
            if not definition:
                continue
            try:
                values[definition["name"]] = Ticket._website_form_property_value(
                    definition, prop.get("value")
                )
            except (TypeError, ValueError):
                errors[definition["name"]] = request.env._(
                    "This value is not valid for this field."
                )
        if values:
            record_values["properties"] = values
        return errors

    def _helpdesk_text_errors(self, values):
        """Errors of text inputs holding control characters (never typed by a
        person; NUL is refused by the database) or longer than allowed."""
        fields = request.env[TICKET_MODEL]._fields
        errors = {}
        for name, value in values.items():
            if not isinstance(value, str):
                continue  # a file
            input_name = form_input_name(name)
            field = fields.get(name)
            multiline = not field or field.type in ("text", "html")
            if has_control_characters(value, multiline=multiline) or (
                has_control_characters(name)
            ):
                errors[input_name] = request.env._(
                    "This field contains characters that are not allowed."
                )
            elif len(value.strip()) > INPUT_MAX_LENGTHS.get(name, len(value)):
                errors[input_name] = request.env._(
                    "This field is too long (maximum %(max)s characters).",
                    max=INPUT_MAX_LENGTHS[name],
                )
        return errors

    def _helpdesk_attachment_errors(self, files):
        Submission = request.env["helpdesk.website.submission"]
        max_count = Submission._get_form_limit("max_attachments")
        max_size = Submission._get_form_limit("max_attachment_size")
        if len(files) > max_count:
            return {
                files[0].field_name: request.env._(
                    "You can attach up to %(count)s files.", count=max_count
                )
            }
        for file in files:
            file.stream.seek(0, os.SEEK_END)
            size = file.stream.tell()
            file.stream.seek(0)
            if size > max_size * MEGABYTE:
                return {
                    file.field_name: request.env._(
                        "The file “%(name)s” is too large (maximum %(size)s MB).",
                        name=file.filename,
                        size=max_size,
                    )
                }
        return {}

    def _prepare_ticket_values(self, team, values):
        """Values of the ticket created from the form's ``values``."""
        Ticket = request.env[TICKET_MODEL]
        # ``values`` holds the fields the form may write only (extract_data)
        ticket_values = dict(
            values, team_id=team.id, intake_channel="website", priority="0"
        )
        title = " ".join((ticket_values.get("name") or "").split())
        if title != ticket_title(title):
            # a long title is cut as email subjects are: the whole of it opens
            # the description
            ticket_values["name"] = ticket_title(title)
            ticket_values["description"] = Markup("<p>%s</p>%s") % (
                title,
                Markup(ticket_values.get("description") or ""),
            )
        ticket_values.update(
            Ticket._prepare_visitor_customer_values(
                values.get("partner_name"),
                (values.get("partner_email") or "").strip(),
                (values.get("partner_phone") or "").strip(),
                user=request.env.user,
            )
        )
        return ticket_values

    def _helpdesk_ticket_created(self, ticket):
        # Like tickets from emails, the customer follows the ticket, so that
        # the team's replies reach them, once they proved their address.
        if not ticket.customer_unverified:
            ticket.message_subscribe(partner_ids=ticket.partner_id.ids)
        request.env["helpdesk.website.submission"].sudo().create(
            {
                "ip_address": self._helpdesk_client_ip(),
                "website_id": request.website.id,
                "ticket_id": ticket.id,
            }
        )
