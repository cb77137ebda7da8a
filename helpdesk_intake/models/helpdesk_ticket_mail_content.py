from datetime import UTC

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_date, format_datetime, is_html_empty

from ..tools.mail_content import (
    expand_email,
    human_size,
    strip_quoted_history,
)

# Inline images up to this size are taken for logos of a signature: shown
# where the email puts them, but not listed among the files received.
SIGNATURE_IMAGE_MAX_SIZE = 16 * 1024
MEGABYTE = 1024 * 1024


class HelpdeskTicket(models.Model):
    """What an email brings to its ticket: the content behind the wrappers of
    mail clients (winmail.dat, S/MIME, invitations, emails attached whole),
    a description without quoted history nor signature, and the files kept
    or refused by the team's size limit."""

    _inherit = "helpdesk.ticket"

    email_refused_files = fields.Json(
        copy=False,
        readonly=True,
        help="Files of the email that opened the ticket that were not kept, "
        "being over the team's maximum email size: name and size of each.",
    )
    email_files = fields.Json(
        compute="_compute_email_files",
        help="Files of the email that opened the ticket, kept and refused, "
        "each as name and size, for the acknowledgement.",
    )

    def _compute_email_files(self):
        for ticket in self:
            first_email = ticket.sudo().message_ids.filtered(
                lambda message: message.message_type == "email"
            )[-1:]
            kept = [
                {"name": attachment.name, "size": human_size(attachment.file_size)}
                for attachment in first_email.attachment_ids.sorted("id")
                if not _is_signature_image(attachment, first_email.body)
            ]
            refused = [
                {"name": item["name"], "size": human_size(item["size"])}
                for item in ticket.email_refused_files or []
            ]
            ticket.email_files = {"kept": kept, "refused": refused}

    # ------------------------------------------------------------
    # READING THE EMAIL (called by mail.thread, models/mail_thread.py)
    # ------------------------------------------------------------

    @api.model
    def _helpdesk_read_content(self, message, message_dict, routes):
        """Rewrite the body and files of ``message_dict`` from what
        ``message`` really carries, and apply the size limit of the team
        addressed. Return the routes (new tickets remember their refused
        files) and the files refused, as ``{"name", "size"}`` dicts."""
        team = self._helpdesk_route_team(routes)
        expanded = expand_email(message)
        if expanded.changed:
            payload = self.env["mail.thread"]._message_parse_extract_payload(
                expanded.message, dict(message_dict)
            )
            originals = [
                attachment
                for attachment in message_dict.get("attachments") or []
                if attachment.fname == "original_email.eml"
            ]
            message_dict["body"] = payload["body"]
            message_dict["attachments"] = originals + payload["attachments"]
        notices = self._helpdesk_content_notices(expanded, team)
        refused = self._helpdesk_apply_size_limit(message_dict, team)
        if refused:
            notices.append(
                self.env._(
                    "This email is larger than the %(limit)s MB the team accepts: "
                    "some of its files were not kept.",
                    limit=team.max_email_size,
                )
            )
        header = Markup("").join(
            Markup("<p><em>%s</em></p>") % notice for notice in notices
        ) + self._helpdesk_events_html(expanded.events, team)
        if header:
            message_dict["body"] = header + Markup(message_dict.get("body") or "")
        new_ticket_values = {}
        if refused:
            new_ticket_values["email_refused_files"] = refused
        if expanded.forwarded is not None and self._is_internal_sender(message_dict):
            # an employee's forward: the description is the customer's email
            new_ticket_values["description"] = self.env[
                "mail.thread"
            ]._message_parse_extract_payload(expanded.forwarded, {})["body"]
        if new_ticket_values:
            routes = [
                (model, thread_id, dict(values or {}, **new_ticket_values), *rest)
                if model == self._name and not thread_id
                else (model, thread_id, values, *rest)
                for model, thread_id, values, *rest in routes
            ]
        return routes, refused

    @api.model
    def _helpdesk_route_team(self, routes):
        for model, thread_id, values, *_rest in routes:
            if model != self._name:
                continue
            if thread_id:
                return self.sudo().browse(thread_id).team_id
            team_id = (values or {}).get("team_id")
            if team_id:
                return self.env["helpdesk.team"].sudo().browse(team_id)
        return self.env["helpdesk.team"]

    @api.model
    def _helpdesk_content_notices(self, expanded, team):
        notices = []
        if expanded.encrypted:
            notices.append(
                self.env._(
                    "Encrypted email: cannot be read without the key. "
                    "The original is attached."
                )
            )
        if expanded.unread_tnef:
            notices.append(
                self.env._(
                    "This email was sent by Outlook in a format (winmail.dat) "
                    "whose text could not be read here; the original is attached."
                )
            )
        return notices

    @api.model
    def _helpdesk_apply_size_limit(self, message_dict, team):
        """Drop the files that make the email exceed the team's maximum
        size, in the order the email gives them; return them."""
        if not team or not team.max_email_size:
            return []
        limit = team.max_email_size * MEGABYTE
        attachments = message_dict.get("attachments") or []
        used = len(message_dict.get("body") or "")
        sizes = [_content_size(attachment.content) for attachment in attachments]
        if used + sum(sizes) <= limit:
            return []
        kept, refused = [], []
        for attachment, size in zip(attachments, sizes, strict=True):
            if used + size <= limit:
                used += size
                kept.append(attachment)
            else:
                refused.append({"name": attachment.fname, "size": size})
        message_dict["attachments"] = kept
        return refused

    @api.model
    def _helpdesk_events_html(self, events, team):
        """The meetings of an invitation, in the team's time zone."""
        if not events:
            return Markup("")
        tz = (
            team.resource_calendar_id.tz
            or self.env.company.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )
        rows = []
        for event in events:
            title = (
                self.env._("Meeting cancelled")
                if event["method"] == "CANCEL"
                else self.env._("Meeting invitation")
            )
            details = [
                (self.env._("Subject"), event["summary"]),
                (self.env._("When"), self._helpdesk_event_time(event, tz)),
                (self.env._("Organizer"), event["organizer"]),
                (self.env._("Location"), event["location"]),
            ]
            rows.append(
                Markup("<p><strong>%s</strong></p><ul>%s</ul>")
                % (
                    title,
                    Markup("").join(
                        Markup("<li>%s: %s</li>") % (label, value)
                        for label, value in details
                        if value
                    ),
                )
            )
        return Markup("").join(rows)

    def _helpdesk_event_time(self, event, tz):
        start, end = event["start"], event["end"]
        if start is None:
            return ""
        if not hasattr(start, "hour"):  # all-day meeting
            return format_date(self.env, start)
        if start.tzinfo is not None:
            # format_datetime localizes naive UTC datetimes
            start = start.astimezone(UTC).replace(tzinfo=None)
            end = end and end.astimezone(UTC).replace(tzinfo=None)
        else:
            # floating time: the time the team reads, as written
            tz = "UTC"
        text = format_datetime(self.env, start, tz=tz, dt_format="medium")
        if end and hasattr(end, "hour"):
            text += " - " + format_datetime(self.env, end, tz=tz, dt_format="short")
        return f"{text} ({tz})"

    def _helpdesk_note_refused_files(self, refused):
        """Tell the agents which files the size limit kept out."""
        for ticket in self:
            ticket.sudo().message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    self.env._(
                        "These files of the email were not kept, being over the "
                        "team's maximum email size of %(limit)s MB:",
                        limit=ticket.team_id.max_email_size,
                    ),
                    Markup("").join(
                        Markup("<li>%s (%s)</li>")
                        % (item["name"], human_size(item["size"]))
                        for item in refused
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _get_mail_thread_data_attachments(self):
        # Logos of email signatures belong to the text that shows them, not
        # to the files of the ticket.
        attachments = super()._get_mail_thread_data_attachments()
        bodies = "".join(
            self.sudo()
            .message_ids.filtered(lambda message: message.message_type == "email")
            .mapped("body")
        )
        return attachments.filtered(
            lambda attachment: not _is_signature_image(attachment, bodies)
        )

    def _message_post_after_hook(self, message, msg_vals):
        was_empty = len(self) == 1 and is_html_empty(self.description)
        res = super()._message_post_after_hook(message, msg_vals)
        # The customer's own email: the description is what they wrote this
        # time, the chatter keeps the whole email. Forwards by employees are
        # the customer's words and stay whole.
        if (
            was_empty
            and not is_html_empty(self.description)
            and not self._is_internal_sender({"author_id": message.author_id.id})
        ):
            cleaned = strip_quoted_history(self.description)
            if cleaned != self.description and not is_html_empty(cleaned):
                self.description = cleaned
        return res


def _content_size(content):
    if isinstance(content, str):
        return len(content.encode("utf-8", "replace"))
    if isinstance(content, bytes):
        return len(content)
    return len(str(content))


def _is_signature_image(attachment, body):
    return (
        (attachment.mimetype or "").startswith("image/")
        and attachment.file_size <= SIGNATURE_IMAGE_MAX_SIZE
        and f"/web/image/{attachment.id}" in (body or "")
    )
