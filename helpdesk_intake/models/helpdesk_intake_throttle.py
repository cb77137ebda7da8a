from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Limits as system parameters: (key, default count, window in minutes). The
# bounce window is the one of Odoo's own loop guard.
THROTTLE_LIMITS = {
    "network": ("helpdesk_intake.rate_limit", 20, 60),
    "email": ("helpdesk_intake.rate_limit_email", 10, 60),
    "ack": ("helpdesk_intake.ack_limit", 5, 60),
    "bounce": ("helpdesk_intake.bounce_limit", 3, None),
}
LOOP_MINUTES_KEY = "mail.gateway.loop.minutes"


class HelpdeskIntakeThrottle(models.Model):
    """One row per counted event (a ticket submitted by a client network or
    for an address, an automated email sent to an address), kept a day, so
    that public channels and automated emails stay within their limits."""

    _name = "helpdesk.intake.throttle"
    _description = "Helpdesk Intake Throttle"
    _order = "id desc"
    _log_access = False

    scope = fields.Selection(
        [
            ("network", "Client Network"),
            ("email", "Customer Address"),
            ("ack", "Acknowledgement"),
            ("bounce", "Bounce"),
        ],
        required=True,
        readonly=True,
    )
    key = fields.Char(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    _scope_key_date_idx = models.Index("(scope, key, date)")

    @api.model
    def _limit(self, scope):
        """(count, window) of ``scope``; a count of 0 disables the limit."""
        key, default, minutes = THROTTLE_LIMITS[scope]
        get_param = self.env["ir.config_parameter"].sudo().get_param
        if minutes is None:
            minutes = _as_int(get_param(LOOP_MINUTES_KEY), 120)
        return _as_int(get_param(key), default), timedelta(minutes=minutes)

    @api.model
    def _acquire(self, events, serialized=False):
        """Count the ``events`` (pairs of scope and key) unless one of their
        keys used up its limit: return False then, and count nothing.

        ``serialized`` is for requests that may arrive at the same instant
        from one client (public forms, chat bots): they wait for each other
        on a transaction-level lock per key. Requests run in REPEATABLE READ
        and took their snapshot before waiting, so the count is then read
        through a fresh cursor, which sees what the previous holder of the
        lock committed."""
        limits = {scope: self._limit(scope) for scope, _key in events}
        events = sorted(
            {(scope, key) for scope, key in events if key and limits[scope][0] > 0}
        )
        if not events:
            return True
        if serialized:
            for scope, key in events:
                self.env.cr.execute(
                    SQL(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        f"{self._table}:{scope}:{key}",
                    )
                )
            with self.env.registry.cursor() as cr:
                exhausted = self._exhausted(cr, events, limits)
        else:
            self.flush_model()
            exhausted = self._exhausted(self.env.cr, events, limits)
        if exhausted:
            return False
        self.sudo().create([{"scope": scope, "key": key} for scope, key in events])
        return True

    @api.model
    def _exhausted(self, cr, events, limits):
        now = fields.Datetime.now()
        conditions = SQL(" OR ").join(
            SQL(
                "(scope = %s AND key = %s AND date >= %s)",
                scope,
                key,
                now - limits[scope][1],
            )
            for scope, key in events
        )
        cr.execute(
            SQL(
                "SELECT scope, key, count(*) FROM %s WHERE %s GROUP BY scope, key",
                SQL.identifier(self._table),
                conditions,
            )
        )
        return any(count >= limits[scope][0] for scope, key, count in cr.fetchall())

    @api.autovacuum
    def _gc_throttle(self):
        yesterday = fields.Datetime.now() - timedelta(days=1)
        self.env.cr.execute(
            SQL("DELETE FROM helpdesk_intake_throttle WHERE date < %s", yesterday)
        )


def _as_int(value, default):
    try:
        return int(value) if value not in (None, False, "") else default
    except ValueError:
        return default
