import re

from odoo import api, models

# Values of headers that mark a message as written by a machine, not a person
# (RFC 3834 and the de-facto headers of common mail servers).
AUTO_GENERATED_HEADERS = {
    "Auto-Submitted": lambda value: value.strip().lower() not in ("", "no"),
    "Precedence": lambda value: value.strip().lower() in ("bulk", "junk", "list"),
    "X-Auto-Response-Suppress": lambda value: bool(value.strip()),
    "X-Autoreply": lambda value: bool(value.strip()),
    "X-Autorespond": lambda value: bool(value.strip()),
    "List-Unsubscribe": lambda value: bool(value.strip()),
    "Return-Path": lambda value: re.fullmatch(r"\s*<?\s*>?\s*", value) is not None,
}


class MailThread(models.AbstractModel):
    _name = "mail.thread"
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        routes = super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )
        if any(route[0] == "helpdesk.ticket" for route in routes):
            routes = self.env["helpdesk.ticket"]._helpdesk_adjust_routes(message_dict, routes)
        return routes

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if is_auto_generated(message):
            self = self.with_context(helpdesk_auto_generated_email=True)
        return super()._message_route_process(message, message_dict, routes)


def is_auto_generated(message):
    """Whether an email.message was sent by a robot (auto-reply, list, bounce)."""
    for header, is_auto in AUTO_GENERATED_HEADERS.items():
        for value in message.get_all(header) or ():
            if is_auto(str(value)):
                return True
    return False
