import hmac
import logging

import psycopg2

from odoo import api, http
from odoo.http import request

from ..models.ir_config_parameter import MAILGATE_MAX_BYTES_PARAM, MAILGATE_SECRET_PARAM

_logger = logging.getLogger(__name__)
# 64 MiB: larger than what mail servers accept by default (Postfix: 10 MB)
MAILGATE_MAX_BYTES = 64 * 1024 * 1024


class HelpdeskMailgate(http.Controller):
    """Delivery of emails by a mail transfer agent, through the
    ``scripts/helpdesk_mailgate.py`` pipe: the raw email as the request
    body, the database's mail gateway secret as a bearer token.

    The status tells the script what the transfer agent must do: 200 the
    email was kept (as a ticket, a reply, a duplicate dropped, an
    unprocessable email or a mail loop dropped), 401 the secret is wrong,
    400, 413 and 422 the email is refused for good, anything else (5xx)
    try again later. Concurrency errors are retried by Odoo's request
    handling on a fresh transaction."""

    @http.route(
        "/helpdesk/mailgate",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def mailgate(self, **_kwargs):
        # the secret stands for the user: the gateway then runs as superuser,
        # like the incoming mail servers' scheduled action
        env = request.env(user=api.SUPERUSER_ID)
        if not self._helpdesk_mailgate_authorized(env):
            return self._helpdesk_mailgate_answer(401, "wrong mail gateway secret")
        length = request.httprequest.content_length or 0
        if length > self._helpdesk_mailgate_max_bytes(env):
            return self._helpdesk_mailgate_answer(413, "email too large")
        # kept: Odoo runs the request again after a concurrency error
        raw = request.httprequest.get_data()
        if not raw.strip():
            return self._helpdesk_mailgate_answer(400, "empty email")
        try:
            env["mail.thread"].message_process(False, raw)
        except psycopg2.Error:
            raise  # retried by Odoo, else a 5xx: the transfer agent retries
        except Exception as error:  # noqa: BLE001 - refused, with the reason
            env.cr.rollback()
            _logger.info("Mail gateway refused an email: %s", error, exc_info=True)
            return self._helpdesk_mailgate_answer(422, f"email refused: {error}")
        return self._helpdesk_mailgate_answer(200, "kept")

    def _helpdesk_mailgate_authorized(self, env):
        expected = env["ir.config_parameter"].get_param(MAILGATE_SECRET_PARAM) or ""
        scheme, _sep, token = (
            request.httprequest.headers.get("Authorization") or ""
        ).partition(" ")
        return bool(
            expected
            and scheme.lower() == "bearer"
            and hmac.compare_digest(token.strip().encode(), expected.encode())
        )

    def _helpdesk_mailgate_max_bytes(self, env):
        value = env["ir.config_parameter"].get_param(MAILGATE_MAX_BYTES_PARAM)
        try:
            return int(value) if value else MAILGATE_MAX_BYTES
        except ValueError:
            return MAILGATE_MAX_BYTES

    def _helpdesk_mailgate_answer(self, status, text):
        return request.make_response(
            text + "\n", headers=[("Content-Type", "text/plain")], status=status
        )
