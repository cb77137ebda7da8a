import email
import logging
from email.policy import compat32

import psycopg2

from odoo import api, models
from odoo.tools import email_normalize, email_split
from odoo.tools.mail import decode_message_header, unfold_references

from ..tools import (
    is_duplicate_ticket,
    is_known_charset,
    message_bytes,
    raw_headers,
    raw_recipients,
    spam_headers,
)
from .helpdesk_ticket_mail import INTERNAL_SENDERS_CACHE_KEY

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """Never lose an email addressed to a helpdesk alias: when the gateway
        fails on it, keep it as an "unprocessable" ticket of the team, with
        the original attached, instead of dropping it or retrying it forever."""
        raw = message_bytes(message)
        if not self.env.context.get("helpdesk_no_quarantine"):
            # the same email received twice at once is processed once
            self.env["helpdesk.mail.receipt"].sudo()._receive(raw)
        # what the helpdesk learnt about the sender holds for this email only
        self.env.cr.cache.pop(INTERNAL_SENDERS_CACHE_KEY, None)
        try:
            with self.env.cr.savepoint():
                return super().message_process(
                    model,
                    raw,
                    custom_values=custom_values,
                    save_original=save_original,
                    strip_attachments=strip_attachments,
                    thread_id=thread_id,
                )
        except Exception as error:
            if is_duplicate_ticket(error):
                return False  # another worker created the ticket of this email
            if isinstance(error, psycopg2.Error) or self.env.context.get(
                "helpdesk_no_quarantine"
            ):
                raise  # database unavailable or concurrency: retry later
            Ticket = self.env["helpdesk.ticket"].sudo()
            team = Ticket._team_from_raw_email(raw) or self._helpdesk_fallback_team(
                model, raw
            )
            # the gates of the alias hold for what the gateway cannot read too
            if not team.use_alias:
                raise
            if self._helpdesk_quarantine_is_loop(team, raw):
                return False
            try:
                with self.env.cr.savepoint():
                    return Ticket._quarantine_email(team, raw, error).id
            except psycopg2.IntegrityError as duplicate:
                if is_duplicate_ticket(duplicate):
                    return False  # already kept by an earlier attempt
                raise
        finally:
            self.env.cr.cache.pop(INTERNAL_SENDERS_CACHE_KEY, None)

    @api.model
    def _helpdesk_fallback_team(self, model, raw):
        """The team that keeps an email no team alias was addressed to: the
        team of the ticket it answers (a report to the bounce address, a
        reply to the catchall), else, for an email meant for the helpdesk
        (fetched for tickets, or to the catchall or bounce address), the
        first team that takes email."""
        headers = raw_headers(raw)
        references = unfold_references(
            " ".join(
                headers.get_all("In-Reply-To", []) + headers.get_all("References", [])
            )
        )
        Team = self.env["helpdesk.team"].sudo()
        if references:
            message = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("message_id", "in", references),
                        ("model", "=", "helpdesk.ticket"),
                    ],
                    limit=1,
                )
            )
            if message:
                return self.env["helpdesk.ticket"].sudo().browse(message.res_id).team_id
        # alias domains are a handful per database
        domains = self.env["mail.alias.domain"].sudo().search([], limit=None)
        robots = set(domains.mapped("catchall_email") + domains.mapped("bounce_email"))
        if model == "helpdesk.ticket" or robots & set(raw_recipients(headers)):
            return Team.search([("use_alias", "=", True)], limit=1)
        return Team

    @api.model
    def _helpdesk_quarantine_is_loop(self, team, raw):
        """Whether Odoo's per-sender loop guard refuses an email the gateway
        could not parse (it then bounces it, within the bounce limit)."""
        message = email.message_from_bytes(raw, policy=compat32)
        message_dict = {
            "email_from": decode_message_header(message, "From"),
            "to": decode_message_header(message, "To"),
            "message_id": (message.get("Message-ID") or "").strip(),
        }
        route = ("helpdesk.ticket", 0, {}, self.env.uid, team.alias_id)
        return self._detect_loop_sender(message, message_dict, [route])

    @api.model
    def _routing_create_bounce_email(self, email_from, body_html, message, **values):
        if self.env.context.get("helpdesk_quarantine_keeps"):
            # message_new failed: the email is kept as unprocessable, the
            # sender must not read that it was refused
            _logger.info("Bounce to %s not sent: the email is kept", email_from)
            return
        # Sender addresses are forgeable: a flood "from" someone must not
        # make the helpdesk flood them with bounces (backscatter).
        bounce_to = decode_message_header(message, "Return-Path") or email_from
        address = email_normalize(bounce_to) or email_normalize(email_from)
        if not self.env["helpdesk.intake.throttle"]._acquire([("bounce", address)]):
            _logger.info("Bounce to %s not sent: bounce limit reached", address)
            return
        return super()._routing_create_bounce_email(
            email_from, body_html, message, **values
        )

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        if any(route[0] == "helpdesk.ticket" for route in routes):
            recipients = email_split(
                ",".join(
                    decode_message_header(message, header) for header in ("To", "Cc")
                )
            )
            routes = self.env["helpdesk.ticket"]._helpdesk_adjust_routes(
                message_dict, routes, recipients, message
            )
        return routes

    @api.model
    def _message_parse_extract_payload(
        self, message, message_dict, save_original=False
    ):
        # Mail clients sometimes declare charsets that do not exist: read such
        # text parts as UTF-8 when they are, else as Latin-1 (which decodes
        # any byte), instead of failing on the whole email.
        for part in message.walk():
            charset = part.get_content_charset()
            if (
                part.get_content_maintype() == "text"
                and charset
                and not is_known_charset(charset)
            ):
                payload = part.get_payload(decode=True) or b""
                try:
                    payload.decode("utf-8")
                    part.set_param("charset", "utf-8")
                except UnicodeDecodeError:
                    part.set_param("charset", "latin-1")
        return super()._message_parse_extract_payload(
            message, message_dict, save_original=save_original
        )

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        self = self.with_context(
            **self.env["helpdesk.ticket"]._helpdesk_intake_context(
                message, message_dict
            ),
            # read by helpdesk.ticket._intake_spam_values
            helpdesk_spam_headers=spam_headers(message),
        )
        Ticket = self.env["helpdesk.ticket"]
        if not any(route[0] == Ticket._name for route in routes or ()):
            return super()._message_route_process(message, message_dict, routes)
        if not self.env.context.get("helpdesk_no_quarantine"):
            self = self.with_context(helpdesk_quarantine_keeps=True)
        # what the ticket and its chatter get is the content behind the
        # wrappers of mail clients, within the team's size limit
        routes, refused = Ticket._helpdesk_read_content(message, message_dict, routes)
        thread_id = super()._message_route_process(message, message_dict, routes)
        if refused and thread_id and routes[-1][0] == Ticket._name:
            Ticket.sudo().browse(thread_id)._helpdesk_note_refused_files(refused)
        return thread_id
