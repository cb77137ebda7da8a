import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import raw_headers

# Minutes to wait before fetching a failing email again, per failure so far;
# one more failure and the email is kept as unprocessable.
RETRY_DELAYS = (0, 1, 5, 30)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Days a receipt is kept: Odoo recognises older emails by their message.
KEEP_DAYS = 30


class HelpdeskMailReceipt(models.Model):
    """One row per email the gateway received, by Message-ID (or digest of
    the raw email when it has none).

    It is written in the transaction that processes the email, so that two
    processes receiving the same email at once (two workers behind an MTA,
    two fetchers of one mailbox) are serialized on it: the second one waits
    for the first and starts over, then sees its message and drops the
    email as a duplicate. It also counts the failures of an incoming mail
    server on an email, written after their rollback, so that a failing
    email is retried a few times, later each time, then kept aside."""

    _name = "helpdesk.mail.receipt"
    _description = "Received Email"
    _order = "id desc"

    key = fields.Char(required=True, readonly=True)
    fetchmail_server_id = fields.Many2one(
        "fetchmail.server", readonly=True, ondelete="cascade"
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_date = fields.Datetime(readonly=True)
    error = fields.Text(readonly=True)

    _key_uniq = models.Constraint("UNIQUE(key)", "An email is received once.")

    @api.model
    def _key(self, raw):
        message_id = (raw_headers(raw).get("Message-ID") or "").strip()
        return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()

    @api.model
    def _receive(self, raw):
        """Take the receipt of ``raw`` in the current transaction.

        Another transaction writing the same receipt makes this one wait;
        once it committed, PostgreSQL fails this one with a serialization
        error (REPEATABLE READ), which Odoo's request handling and the
        incoming mail servers retry on a fresh snapshot."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO helpdesk_mail_receipt
                       (key, attempts, create_date, write_date)
                VALUES (%s, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                ON CONFLICT (key) DO NOTHING
                """,
                self._key(raw),
            ),
            # an expected outcome, not a bad query
            log_exceptions=False,
        )

    @api.model
    def _is_deferred(self, server, raw):
        """Whether ``server`` failed on ``raw`` recently enough to wait."""
        receipt = self.search(
            [("key", "=", self._key(raw)), ("fetchmail_server_id", "=", server.id)],
            limit=1,
        )
        return bool(
            receipt.next_attempt_date
            and receipt.next_attempt_date > fields.Datetime.now()
        )

    @api.model
    def _record_failure(self, server, raw, error):
        """Count a failure of ``server`` on ``raw``; return whether it
        failed often enough to be kept aside instead of retried."""
        key = self._key(raw)
        receipt = self.search([("key", "=", key)], limit=1)
        if not receipt:
            receipt = self.create({"key": key})
        attempts = receipt.attempts + 1
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        receipt.write(
            {
                "fetchmail_server_id": server.id,
                "attempts": attempts,
                "next_attempt_date": fields.Datetime.now() + timedelta(minutes=delay),
                "error": f"{type(error).__name__}: {error}",
            }
        )
        return attempts >= MAX_ATTEMPTS

    @api.autovacuum
    def _gc_receipts(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM helpdesk_mail_receipt WHERE write_date < %s",
                fields.Datetime.now() - timedelta(days=KEEP_DAYS),
            )
        )
