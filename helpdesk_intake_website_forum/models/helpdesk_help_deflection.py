from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# A visitor who opened a suggested answer and sent no ticket within this
# delay found their answer: the request was deflected.
DEFLECTION_DELAY = timedelta(minutes=30)
# Most events one visitor session counts per team: a visitor (or a robot
# replaying requests) cannot inflate the figures beyond them.
MAX_SHOWN_PER_SESSION = 100
MAX_CLICKS_PER_SESSION = 10


class HelpdeskHelpDeflection(models.Model):
    """What one visitor session did with the suggested answers of one team's
    ticket form: how many it was shown, how many it opened, and whether it
    sent a ticket after opening one."""

    _name = "helpdesk.help.deflection"
    _description = "Helpdesk Help Deflection"
    _order = "id desc"

    team_id = fields.Many2one(
        "helpdesk.team", required=True, readonly=True, ondelete="cascade"
    )
    website_id = fields.Many2one("website", readonly=True, ondelete="cascade")
    session_key = fields.Char(required=True, readonly=True)
    shown_count = fields.Integer(string="Suggestions Shown", readonly=True)
    clicked_count = fields.Integer(string="Suggestions Opened", readonly=True)
    first_click_date = fields.Datetime(string="First Opened On", readonly=True)
    ticket_date = fields.Datetime(
        string="Ticket Sent On",
        readonly=True,
        help="When the session sent its first ticket after opening a suggestion.",
    )

    _team_session_unique = models.Constraint(
        "UNIQUE(team_id, session_key)",
        "One row per team and visitor session.",
    )
    # the team form's figures read the recent rows of one team
    _team_create_date_idx = models.Index("(team_id, create_date)")

    @api.model
    def _get_or_create(self, team, website, session_key, network):
        """The row of ``session_key`` for ``team``, created if missing; an
        empty recordset when the client ``network`` is over its rate limit of
        new sessions."""
        row = self.search(
            [("team_id", "=", team.id), ("session_key", "=", session_key)], limit=1
        )
        if row:
            return row
        Throttle = self.env["helpdesk.intake.throttle"]
        if not Throttle._acquire([("deflection", network)]):
            return self
        return self.create(
            {"team_id": team.id, "website_id": website.id, "session_key": session_key}
        )

    def _count_shown(self, count):
        for row in self:
            row.shown_count = min(row.shown_count + count, MAX_SHOWN_PER_SESSION)

    def _count_click(self):
        """Count an opened suggestion; only after suggestions were shown."""
        for row in self.filtered("shown_count"):
            if row.clicked_count >= MAX_CLICKS_PER_SESSION:
                continue
            row.clicked_count += 1
            row.first_click_date = row.first_click_date or fields.Datetime.now()

    def _count_ticket(self):
        self.filtered(
            lambda row: row.first_click_date and not row.ticket_date
        ).ticket_date = fields.Datetime.now()

    @api.model
    def _team_figures(self, teams, since):
        """{team id: {shown, clicked, submitted, deflected}} of the sessions
        started since ``since``."""
        base = [("team_id", "in", teams.ids), ("create_date", ">=", since)]
        figures = {
            team_id: {"shown": 0, "clicked": 0, "submitted": 0, "deflected": 0}
            for team_id in teams.ids
        }
        for team, shown, clicked in self._read_group(
            base, ["team_id"], ["shown_count:sum", "clicked_count:sum"]
        ):
            figures[team.id].update(shown=shown, clicked=clicked)
        for team, count in self._read_group(
            [*base, ("ticket_date", "!=", False)], ["team_id"], ["__count"]
        ):
            figures[team.id]["submitted"] = count
        # Sessions whose first opened suggestion is older than the delay, and
        # that sent no ticket within it (one sent later is another request).
        settled = fields.Datetime.now() - DEFLECTION_DELAY
        for team, count in self._read_group(
            [
                *base,
                ("first_click_date", "<=", settled),
                ("ticket_date", "=", False),
            ],
            ["team_id"],
            ["__count"],
        ):
            figures[team.id]["deflected"] = count
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT team_id, count(*) FROM %s
                    WHERE team_id = ANY(%s) AND create_date >= %s
                      AND first_click_date <= %s
                      AND ticket_date > first_click_date + %s
                    GROUP BY team_id""",
                SQL.identifier(self._table),
                teams.ids,
                since,
                settled,
                DEFLECTION_DELAY,
            )
        )
        for team_id, count in self.env.cr.fetchall():
            figures[team_id]["deflected"] += count
        return figures

    @api.autovacuum
    def _gc_old_deflections(self):
        # The figures cover the last months; older sessions only weigh.
        limit = fields.Datetime.now() - timedelta(days=365)
        self.search([("create_date", "<", limit)]).unlink()
