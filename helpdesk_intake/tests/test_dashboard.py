from datetime import datetime, timedelta

from odoo.tests import freeze_time, tagged

from .common import HelpdeskIntakeCommon

DASHBOARD_FIELDS = [
    "open_ticket_count",
    "unassigned_ticket_count",
    "urgent_ticket_count",
    "email_today_count",
    "livechat_today_count",
    "website_today_count",
]
NOW = datetime(2026, 3, 10, 12, 0, 0)  # UTC


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestDashboard(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.teams = cls.env["helpdesk.team"].create(
            [{"name": f"Dashboard Team {index}"} for index in range(5)]
        )
        cls.dash_team = cls.teams[0]
        agent = cls.user_hd_agent.id
        spec = [
            # (priority, user, stage, channel, created)
            ("3", agent, cls.stage_new, "email", datetime(2026, 3, 10, 8, 0)),
            ("3", False, cls.stage_in_progress, "email", datetime(2026, 3, 10, 11, 0)),
            ("3", False, cls.stage_solved, "email", datetime(2026, 3, 10, 9, 0)),
            ("2", False, cls.stage_new, "livechat", datetime(2026, 3, 10, 10, 0)),
            ("0", agent, cls.stage_new, "website", datetime(2026, 3, 9, 23, 0)),
            ("1", False, cls.stage_cancelled, "website", datetime(2026, 3, 10, 0, 30)),
            ("0", False, cls.stage_new, "email", datetime(2026, 3, 9, 12, 0)),
            ("0", agent, cls.stage_new, "manual", datetime(2026, 3, 10, 7, 0)),
        ]
        rows = [
            (team, index, *row) for team in cls.teams for index, row in enumerate(spec)
        ]
        tickets = cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"{team.name} #{index}",
                    "team_id": team.id,
                    "priority": priority,
                    "user_id": user,
                    "stage_id": stage.id,
                    "intake_channel": channel,
                }
                for team, index, priority, user, stage, channel, _created in rows
            ]
        )
        cls.env.flush_all()
        for ticket, row in zip(tickets, rows, strict=True):
            cls.env.cr.execute(
                "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
                (row[-1], ticket.id),
            )
        cls.env.invalidate_all()

    def _dashboard(self, teams, tz="UTC"):
        self.user_hd_agent.tz = tz
        teams = teams.with_user(self.user_hd_agent).with_context(tz=tz)
        teams.invalidate_recordset(DASHBOARD_FIELDS)
        return {team.id: {f: team[f] for f in DASHBOARD_FIELDS} for team in teams}

    @freeze_time(NOW)
    def test_dashboard_counts(self):
        counts = self._dashboard(self.dash_team)[self.dash_team.id]
        self.assertEqual(
            counts,
            {
                "open_ticket_count": 6,
                "unassigned_ticket_count": 3,
                "urgent_ticket_count": 2,
                "email_today_count": 3,
                "livechat_today_count": 1,
                "website_today_count": 1,
            },
        )
        # the numbers match the actions they open
        Ticket = self.env["helpdesk.ticket"]
        for action, field in (
            ("action_view_open_tickets", "open_ticket_count"),
            ("action_view_unassigned_tickets", "unassigned_ticket_count"),
            ("action_view_urgent_tickets", "urgent_ticket_count"),
        ):
            domain = getattr(self.dash_team, action)()["domain"]
            self.assertEqual(Ticket.search_count(domain), counts[field], action)

    def test_dashboard_empty_team(self):
        team = self.env["helpdesk.team"].create({"name": "Empty"})
        self.assertEqual(set(self._dashboard(team)[team.id].values()), {0})

    @freeze_time(NOW)
    def test_today_counts_in_user_timezone(self):
        """ "Today" is the day of the user looking at the dashboard. At 12:00
        UTC it is already 02:00 the next day in Kiritimati (UTC+14): the
        tickets of that local day are the ones created since 10:00 UTC."""
        counts = self._dashboard(self.dash_team, tz="Pacific/Kiritimati")[
            self.dash_team.id
        ]
        # created 11:00 UTC (email, in progress) only; 10:00 UTC (livechat) is
        # exactly midnight local, so it counts too
        self.assertEqual(counts["email_today_count"], 1)
        self.assertEqual(counts["livechat_today_count"], 1)
        self.assertEqual(counts["website_today_count"], 0)

    @freeze_time(NOW)
    def test_dashboard_queries_do_not_grow_with_teams(self):
        one, five = self.dash_team, self.teams

        def count_queries(teams):
            teams = teams.with_user(self.user_hd_agent)
            teams.invalidate_recordset(DASHBOARD_FIELDS)
            self.env.flush_all()
            start = self.cr.sql_log_count
            teams.read(DASHBOARD_FIELDS)
            return self.cr.sql_log_count - start

        count_queries(five)  # warm-up: access rules and registry caches
        queries_one, queries_five = count_queries(one), count_queries(five)
        self.assertEqual(queries_one, queries_five)
        # one grouped query for the open counts, one for today's (measured: 2)
        with self.assertQueryCount(2):
            five.with_user(self.user_hd_agent).invalidate_recordset(DASHBOARD_FIELDS)
            five.with_user(self.user_hd_agent).read(DASHBOARD_FIELDS)
        results = self._dashboard(five)
        self.assertEqual(len({tuple(values.items()) for values in results.values()}), 1)


TILE_FIELDS = [
    *DASHBOARD_FIELDS,
    "sla_failed_count",
    "sla_success_rate_display",
    "closed_recent_count",
]


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestDashboardTiles(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.teams = cls.env["helpdesk.team"].create(
            [{"name": f"Tiles Team {index}"} for index in range(4)]
        )
        closed = cls.env["helpdesk.ticket"].create(
            [
                {"name": f"Closed {days}", "team_id": team.id, "stage_id": stage.id}
                for team in cls.teams
                for days, stage in (
                    (1, cls.stage_solved),
                    (6, cls.stage_cancelled),
                    (8, cls.stage_solved),
                )
            ]
        )
        cls.env.flush_all()
        for ticket in closed:
            days = int(ticket.name.split()[1])
            cls.env.cr.execute(
                "UPDATE helpdesk_ticket SET close_date = %s WHERE id = %s",
                (NOW - timedelta(days=days), ticket.id),
            )
        cls.env.invalidate_all()

    @freeze_time(NOW)
    def test_closed_in_seven_days(self):
        team = self.teams[0].with_user(self.user_hd_agent)
        self.assertEqual(team.closed_recent_count, 2)
        domain = team.action_view_closed_recent_tickets()["domain"]
        self.assertEqual(
            set(self.env["helpdesk.ticket"].search(domain).mapped("name")),
            {"Closed 1", "Closed 6"},
        )

    @freeze_time(NOW)
    def test_on_time_rate_dash_when_nothing_measured(self):
        team = self.teams[0]
        self.assertEqual(team.sla_success_rate_display, "\u2013")
        sla = self.env["helpdesk.sla"].create(
            {
                "name": "Tiles 1h",
                "team_id": team.id,
                "stage_id": self.stage_solved.id,
                "time_hours": 1,
                "resource_calendar_id": False,
            }
        )
        early, late = self.make_tickets([{"name": "Early"}, {"name": "Late"}], team)
        self.assertEqual(len((early | late).sla_status_ids.sla_id), 1)
        self.assertEqual(sla, early.sla_status_ids.sla_id)
        team.invalidate_recordset(TILE_FIELDS)
        self.assertEqual(team.sla_success_rate_display, "\u2013", "ongoing only")
        early.stage_id = self.stage_solved
        with freeze_time(late.sla_deadline + timedelta(hours=1)):
            late.stage_id = self.stage_solved
            team.invalidate_recordset(TILE_FIELDS)
            self.assertEqual(team.sla_success_rate_display, "50%")

    @freeze_time(NOW)
    def test_tiles_cost_the_same_for_one_or_many_teams(self):
        def count_queries(teams):
            teams = teams.with_user(self.user_hd_agent)
            teams.invalidate_recordset(TILE_FIELDS)
            self.env.flush_all()
            start = self.cr.sql_log_count
            teams.read(TILE_FIELDS)
            return self.cr.sql_log_count - start

        count_queries(self.teams)  # warm-up: access rules and registry caches
        self.assertEqual(count_queries(self.teams[0]), count_queries(self.teams))
