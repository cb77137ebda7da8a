from collections import Counter
from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestAssignment(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agents = cls.user_hd_agent | cls.user_hd_agent2 | cls.user_hd_agent3
        cls.team_assign = cls.env["helpdesk.team"].create(
            {"name": "Assignment Team", "member_ids": [(6, 0, cls.agents.ids)]}
        )
        cls.agent_a, cls.agent_b, cls.agent_c = cls.agents.sorted("id")

    def _create(self, count, **values):
        return self.make_tickets(
            [{"name": f"Ticket {i}", **values} for i in range(count)],
            team=self.team_assign,
        )

    def test_manual_assignment(self):
        self.team_assign.assign_method = "manual"
        tickets = self._create(3)
        self.assertFalse(tickets.user_id)
        self.assertFalse(any(tickets.mapped("assign_date")))

    def test_explicit_user_is_kept(self):
        self.team_assign.assign_method = "balanced"
        ticket = self._create(1, user_id=self.agent_c.id)
        self.assertEqual(ticket.user_id, self.agent_c)
        self.assertTrue(ticket.assign_date)

    def test_balanced_assignment(self):
        self.team_assign.assign_method = "manual"
        # open load: a=2, b=0 (+2 closed, not counted), c=1
        self._create(2, user_id=self.agent_a.id)
        self._create(2, user_id=self.agent_b.id, stage_id=self.stage_solved.id)
        self._create(1, user_id=self.agent_c.id)
        # tickets of another team do not count either
        self.make_tickets([{"name": "Elsewhere", "user_id": self.agent_b.id}] * 3)

        self.team_assign.assign_method = "balanced"
        first = self._create(1)
        self.assertEqual(first.user_id, self.agent_b, "fewest open tickets")
        self.assertTrue(first.assign_date)

        # one batch: every new ticket counts for the next one
        batch = self._create(4)
        self.assertEqual(
            batch.mapped("user_id"),
            self.agent_b | self.agent_c | self.agent_a,
        )
        self.assertEqual(
            [ticket.user_id for ticket in batch],
            [self.agent_b, self.agent_c, self.agent_a, self.agent_b],
        )
        open_tickets = self.env["helpdesk.ticket"].search(
            [("team_id", "=", self.team_assign.id), ("is_closed", "=", False)]
        )
        load = Counter(ticket.user_id.id for ticket in open_tickets)
        self.assertEqual(
            load, {self.agent_a.id: 3, self.agent_b.id: 3, self.agent_c.id: 2}
        )

    def test_balanced_batch_from_scratch(self):
        self.team_assign.assign_method = "balanced"
        batch = self._create(6)
        load = Counter(ticket.user_id.id for ticket in batch)
        self.assertEqual(load, dict.fromkeys(self.agents.ids, 2))

    def test_balanced_assignment_by_email(self):
        self.team_assign.assign_method = "balanced"
        self._create(1, user_id=self.agent_a.id)
        self._create(1, user_id=self.agent_c.id)
        ticket = self.deliver(
            to=self.team_assign.alias_id.alias_full_name, subject="Assign me by email"
        )
        self.assertEqual(ticket.user_id, self.agent_b)

    def test_round_robin(self):
        self.team_assign.assign_method = "randomly"
        users = [self._create(1).user_id for _i in range(4)]
        self.assertEqual(
            users, [self.agent_a, self.agent_b, self.agent_c, self.agent_a]
        )
        batch = self._create(3)
        self.assertEqual(
            [ticket.user_id for ticket in batch],
            [self.agent_b, self.agent_c, self.agent_a],
        )

    def test_round_robin_ignores_load(self):
        self.team_assign.assign_method = "manual"
        self._create(3, user_id=self.agent_b.id)
        self.team_assign.assign_method = "randomly"
        # the last assigned member is b: c comes next, whatever the loads
        self.assertEqual(self._create(1).user_id, self.agent_c)
        self.assertEqual(self._create(1).user_id, self.agent_a)

    def test_round_robin_ignores_tickets_without_assignment_date(self):
        self.team_assign.assign_method = "randomly"
        self.assertEqual(self._create(1).user_id, self.agent_a)
        # a ticket given to c without an assignment date (imported data) is
        # no turn of c: b, who follows a, is next
        imported = self._create(1, user_id=self.agent_c.id)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET assign_date = NULL WHERE id = %s",
            [imported.id],
        )
        imported.invalidate_recordset(["assign_date"])
        self.assertEqual(self._create(1).user_id, self.agent_b)

    def test_inactive_members_skipped(self):
        self.team_assign.assign_method = "randomly"
        self.agent_b.active = False
        users = [self._create(1).user_id for _i in range(3)]
        self.assertNotIn(self.agent_b, users)
        self.assertEqual(users, [self.agent_a, self.agent_c, self.agent_a])

    def test_no_members(self):
        self.team_assign.write({"assign_method": "balanced", "member_ids": [(5, 0, 0)]})
        self.assertFalse(self._create(2).user_id)

    # ------------------------------------------------------------
    # COMPANIES: the assignee works for the ticket's company (its team's)
    # ------------------------------------------------------------

    def test_user_of_another_company_only_is_refused(self):
        # user_hd_agent_c2 works for company 2 only; self.team is company 1's
        with self.assertRaises(UserError):
            self.make_tickets([{"name": "A", "user_id": self.user_hd_agent_c2.id}])
        ticket = self.make_tickets([{"name": "B"}])
        with self.assertRaises(UserError):
            ticket.user_id = self.user_hd_agent_c2

    def test_user_of_the_company_is_accepted(self):
        ticket = self.make_tickets([{"name": "A", "user_id": self.user_hd_agent.id}])
        self.assertEqual(ticket.user_id, self.user_hd_agent)
        c2_ticket = self.make_tickets(
            [{"name": "B", "user_id": self.user_hd_agent_c2.id}], team=self.team_c2
        )
        self.assertEqual(c2_ticket.user_id, self.user_hd_agent_c2)
        # a user of both companies may take tickets of either
        self.user_hd_agent.company_ids |= self.company_2
        c2_ticket.user_id = self.user_hd_agent
        self.assertEqual(c2_ticket.user_id, self.user_hd_agent)

    def test_members_work_for_the_team_company(self):
        with self.assertRaises(UserError):
            self.team.member_ids |= self.user_hd_agent_c2
        with self.assertRaises(UserError):
            self.env["helpdesk.team"].create(
                {"name": "Mixed", "member_ids": [(6, 0, self.user_hd_agent_c2.ids)]}
            )
        # a user of both companies may join either team
        self.user_hd_agent_c2.company_ids |= self.company_admin
        self.team.member_ids |= self.user_hd_agent_c2
        self.assertIn(self.user_hd_agent_c2, self.team.member_ids)

    def test_working_hours_of_the_team_company(self):
        calendar_c2 = self.env["resource.calendar"].create(
            {"name": "Company 2 hours", "company_id": self.company_2.id}
        )
        with self.assertRaises(UserError):
            self.team.resource_calendar_id = calendar_c2
        self.team_c2.resource_calendar_id = calendar_c2
        self.assertEqual(self.team_c2.resource_calendar_id, calendar_c2)

    def test_automatic_assignment_skips_other_companies(self):
        # a member who later stopped working for the team's company
        self.user_hd_agent_c2.company_ids |= self.company_admin
        self.team.write(
            {
                "assign_method": "randomly",
                "member_ids": [(6, 0, self.user_hd_agent_c2.ids)],
            }
        )
        self.user_hd_agent_c2.write(
            {
                "company_ids": [(3, self.company_admin.id)],
                "company_id": self.company_2.id,
            }
        )
        ticket = self.make_tickets([{"name": "A"}])
        self.assertFalse(ticket.user_id)


def _calendar(env, name, days):
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Brussels",
            "hours_per_day": 8.0,
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 17,
                        "day_period": "full_day",
                    }
                )
                for day in days
            ],
        }
    )


# Brussels is UTC+1 in January; Monday 12 January 2026, 10:00 there.
MONDAY_10H_LOCAL = datetime(2026, 1, 12, 9, 0)


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestAssignmentAvailability(HelpdeskIntakeCommon):
    """Members work 9-17 in Brussels: a every weekday, b Monday to
    Wednesday, c every weekday but is on leave on Monday 12 January."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_a, cls.agent_b, cls.agent_c = (
            cls.user_hd_agent | cls.user_hd_agent2 | cls.user_hd_agent3
        ).sorted("id")
        cls.full_time = _calendar(cls.env, "Weekdays 9-17", range(5))
        cls.part_time = _calendar(cls.env, "Mon-Wed 9-17", range(3))
        Resource = cls.env["resource.resource"]
        for user, calendar in (
            (cls.agent_a, cls.full_time),
            (cls.agent_b, cls.part_time),
            (cls.agent_c, cls.full_time),
        ):
            Resource.create(
                {
                    "name": user.name,
                    "user_id": user.id,
                    "calendar_id": calendar.id,
                    "tz": "Europe/Brussels",
                }
            )
        # what Time Off writes for an approved leave
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Time off",
                "resource_id": cls.agent_c.resource_ids.id,
                "calendar_id": cls.full_time.id,
                "date_from": datetime(2026, 1, 11, 23, 0),
                "date_to": datetime(2026, 1, 12, 23, 0),
                "time_type": "leave",
            }
        )
        cls.team_duty = cls.env["helpdesk.team"].create(
            {
                "name": "On Duty Team",
                "member_ids": [
                    Command.set((cls.agent_a | cls.agent_b | cls.agent_c).ids)
                ],
                "resource_calendar_id": cls.full_time.id,
                "assign_method": "balanced",
            }
        )
        cls.tag_billing = cls.env["helpdesk.tag"].create({"name": "Billing"})
        cls.tag_other = cls.env["helpdesk.tag"].create({"name": "Other"})

    def _create(self, when, count=1, **values):
        with freeze_time(when):
            return self.make_tickets(
                [{"name": f"Ticket {i}", **values} for i in range(count)],
                team=self.team_duty,
            )

    def test_balanced_skips_member_on_leave(self):
        tickets = self._create(MONDAY_10H_LOCAL, 4)
        self.assertEqual(
            [ticket.user_id for ticket in tickets],
            [self.agent_a, self.agent_b, self.agent_a, self.agent_b],
        )
        # Tuesday: c is back and has the fewest tickets
        self.assertEqual(
            self._create(datetime(2026, 1, 13, 9, 0)).user_id, self.agent_c
        )

    def test_round_robin_skips_member_off_duty(self):
        self.team_duty.assign_method = "randomly"
        thursday = datetime(2026, 1, 15, 9, 0)
        tickets = self._create(thursday, 3)
        self.assertEqual(
            [ticket.user_id for ticket in tickets],
            [self.agent_a, self.agent_c, self.agent_a],
        )

    def test_outside_working_hours_next_working_day(self):
        # Saturday: nobody works; Monday's members (not c, on leave) take it
        tickets = self._create(datetime(2026, 1, 10, 11, 0), 4)
        self.assertEqual(tickets.user_id, self.agent_a | self.agent_b)
        # Monday 18:00: the next working day is Tuesday, c is back (and has
        # the fewest tickets)
        evening = self._create(datetime(2026, 1, 12, 17, 0))
        self.assertEqual(evening.user_id, self.agent_c)

    def test_member_without_working_hours_follows_the_team(self):
        member = self.user_hd_manager
        self.team_duty.member_ids |= member
        self.assertFalse(member.resource_ids)
        # on Monday 10:00 the team's hours count: the member works
        tickets = self._create(MONDAY_10H_LOCAL, 3)
        self.assertIn(member, tickets.user_id)
        # a resource without calendar works at any time
        self.env["resource.resource"].create(
            {"name": member.name, "user_id": member.id, "calendar_id": False}
        )
        sunday = self._create(datetime(2026, 1, 11, 12, 0), 2)
        self.assertEqual(sunday.user_id, member)

    def test_tag_dispatch_at_creation(self):
        self.env["helpdesk.team.tag.rule"].create(
            {
                "team_id": self.team_duty.id,
                "tag_ids": [Command.set(self.tag_billing.ids)],
                "user_ids": [Command.set((self.agent_b | self.agent_c).ids)],
            }
        )
        tagged_tickets = self._create(
            MONDAY_10H_LOCAL,
            2,
            tag_ids=[Command.set((self.tag_billing | self.tag_other).ids)],
        )
        # c is on leave: b takes both
        self.assertEqual(tagged_tickets.user_id, self.agent_b)
        plain = self._create(
            MONDAY_10H_LOCAL, 1, tag_ids=[Command.link(self.tag_other.id)]
        )
        self.assertEqual(plain.user_id, self.agent_a, "the team's method")
        # a manual team still dispatches by tags, by balanced load
        self.team_duty.assign_method = "manual"
        tuesday = self._create(
            datetime(2026, 1, 13, 9, 0), 1, tag_ids=[Command.link(self.tag_billing.id)]
        )
        self.assertEqual(tuesday.user_id, self.agent_c)
        self.assertFalse(self._create(datetime(2026, 1, 13, 9, 0)).user_id)

    def test_tag_dispatch_on_new_tag(self):
        self.env["helpdesk.team.tag.rule"].create(
            {
                "team_id": self.team_duty.id,
                "tag_ids": [Command.set(self.tag_billing.ids)],
                "user_ids": [Command.set(self.agent_c.ids)],
            }
        )
        ticket = self._create(MONDAY_10H_LOCAL)
        self.assertEqual(ticket.user_id, self.agent_a)
        with freeze_time(datetime(2026, 1, 13, 9, 0)):
            ticket.with_user(self.agent_a).tag_ids = [Command.link(self.tag_other.id)]
            self.assertEqual(ticket.user_id, self.agent_a, "no rule for this tag")
            ticket.with_user(self.agent_a).tag_ids = [Command.link(self.tag_billing.id)]
            self.assertEqual(ticket.user_id, self.agent_c)
            # a tag kept is no news: a manual reassignment stays
            ticket.user_id = self.agent_b
            ticket.tag_ids = [Command.link(self.tag_other.id)]
            self.assertEqual(ticket.user_id, self.agent_b)
            # an explicit assignee wins over the rule
            other = self._create(datetime(2026, 1, 13, 9, 0))
            other.write(
                {
                    "tag_ids": [Command.link(self.tag_billing.id)],
                    "user_id": self.agent_a.id,
                }
            )
            self.assertEqual(other.user_id, self.agent_a)
