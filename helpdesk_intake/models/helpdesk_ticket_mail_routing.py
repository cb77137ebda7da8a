from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, email_split

from ..tools import header_text, raw_headers, raw_recipients, subject_references


class HelpdeskTicket(models.Model):
    """Where the mail gateway sends an email meant for the helpdesk (one
    ticket per email, replies by subject reference, replies to closed
    tickets), and the quarantine of the emails it fails on. Called by
    ``mail.thread`` (models/mail_thread.py); each step is a hook."""

    _inherit = "helpdesk.ticket"

    @api.model
    def _helpdesk_adjust_routes(self, message_dict, routes, recipients):
        """Apply the helpdesk rules to the routes found by the mail gateway:
        one ticket per email whatever the number of team aliases addressed
        (``recipients``: the To then Cc addresses, in the order written),
        replies without threading headers matched by the reference in their
        subject, and replies to closed tickets handled per team."""
        routes = self._routes_one_new_ticket(routes, recipients)
        return [self._route_for_reply(message_dict, route) for route in routes]

    @api.model
    def _routes_one_new_ticket(self, routes, recipients):
        recipients = [email_normalize(address) for address in recipients]

        def position(route):
            alias_email = (
                email_normalize(route[4].alias_full_name or "") if route[4] else ""
            )
            return (
                recipients.index(alias_email)
                if alias_email in recipients
                else len(recipients)
            )

        new_ticket_routes = [r for r in routes if r[0] == self._name and not r[1]]
        if len(new_ticket_routes) < 2:
            return routes
        keep = min(new_ticket_routes, key=position)
        return [r for r in routes if r is keep or r not in new_ticket_routes]

    @api.model
    def _route_for_reply(self, message_dict, route):
        model, thread_id, custom_values, user_id, alias = route
        if model != self._name:
            return route
        if not thread_id:
            ticket = self._ticket_from_subject_reference(message_dict)
            if not ticket:
                return route
            thread_id = ticket.id
        ticket = self.sudo().browse(thread_id)
        if (
            ticket.is_closed
            and ticket.team_id.reply_to_closed == "new"
            and not self._is_internal_sender(message_dict)
        ):
            values = {"team_id": ticket.team_id.id, "origin_ticket_id": ticket.id}
            return (model, False, values, user_id, alias)
        return (model, thread_id, custom_values, user_id, alias)

    @api.model
    def _ticket_from_subject_reference(self, message_dict):
        """Ticket whose ``#<ref>`` appears in the subject, provided the sender is
        its customer or one of its followers: guessing a number is not enough
        to write into someone else's ticket."""
        refs = subject_references(message_dict.get("subject"))
        sender = email_normalize(message_dict.get("email_from") or "")
        if not refs or not sender:
            return self.browse()
        for ticket in self.sudo().search([("ref", "in", refs)]):
            allowed = ticket.message_partner_ids.mapped("email_normalized")
            if sender in allowed or sender == email_normalize(
                ticket.partner_email or ""
            ):
                return ticket
        return self.browse()

    @api.model
    def _team_from_raw_email(self, raw):
        """The team whose alias a raw email is addressed to, read leniently so
        that it works on emails the gateway cannot parse."""
        recipients = raw_recipients(raw_headers(raw))
        if not recipients:
            return self.env["helpdesk.team"]
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search(
                [
                    ("alias_model_id.model", "=", self._name),
                    ("alias_parent_model_id.model", "=", "helpdesk.team"),
                    "|",
                    ("alias_full_name", "in", recipients),
                    "&",
                    ("alias_incoming_local", "=", True),
                    ("alias_name", "in", [email.split("@")[0] for email in recipients]),
                ]
            )
        )
        return (
            self.env["helpdesk.team"]
            .sudo()
            .browse(aliases[:1].alias_parent_thread_id)
            .exists()
        )

    @api.model
    def _quarantine_email(self, team, raw, error):
        """Keep an email the gateway failed on as a ticket of ``team``."""
        headers = raw_headers(raw)
        subject = header_text(headers.get("Subject", "")).strip()
        senders = email_split(header_text(headers.get("From", "")))
        ticket = self.with_context(helpdesk_auto_generated_email=True).create(
            {
                "name": self.env._(
                    "Unprocessable email: %(subject)s", subject=subject or "?"
                )[:200],
                "team_id": team.id,
                "channel": "email",
                "is_unprocessable": True,
                "email_message_id": (headers.get("Message-ID") or "").strip() or False,
                "partner_email": senders[0] if senders else False,
            }
        )
        ticket.original_email_id = self.env["ir.attachment"].create(
            {
                "name": "original.eml",
                "raw": raw,
                "mimetype": "message/rfc822",
                "res_model": self._name,
                "res_id": ticket.id,
            }
        )
        ticket.message_post(
            body=Markup("<p>%s</p><p><code>%s</code></p>")
            % (
                self.env._(
                    "The mail gateway could not process this email. The original is "
                    "attached; an administrator can reprocess it once the cause is "
                    "fixed."
                ),
                f"{type(error).__name__}: {error}",
            ),
            attachment_ids=ticket.original_email_id.ids,
            subtype_xmlid="mail.mt_note",
        )
        return ticket

    def action_reprocess_email(self):
        """Run an unprocessable email through the gateway again; on success
        the placeholder ticket is archived."""
        self.ensure_one()
        if not self.env.user.has_group("helpdesk_intake.group_helpdesk_manager"):
            raise UserError(
                self.env._("Only helpdesk administrators can reprocess emails.")
            )
        ticket = self.sudo()
        message_id = ticket.email_message_id
        ticket.email_message_id = False
        try:
            with self.env.cr.savepoint():
                self.env["mail.thread"].sudo().with_context(
                    helpdesk_no_quarantine=True
                ).message_process(False, ticket.original_email_id.raw)
        except Exception as error:
            ticket.email_message_id = message_id
            raise UserError(
                self.env._(
                    "The email still cannot be processed: %(error)s", error=error
                )
            ) from error
        ticket.message_post(body=self.env._("The email was reprocessed successfully."))
        ticket.action_archive()
        return True
