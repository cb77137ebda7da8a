from collections import Counter

from odoo.exceptions import UserError
from odoo.tests import tagged

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

    def test_inactive_members_skipped(self):
        self.team_assign.assign_method = "randomly"
        self.agent_b.active = False
        users = [self._create(1).user_id for _i in range(3)]
        self.assertNotIn(self.agent_b, users)
        self.assertEqual(users, [self.agent_a, self.agent_c, self.agent_a])

    def test_no_members(self):
        self.team_assign.write({"assign_method": "balanced", "member_ids": [(5, 0, 0)]})
        self.assertFalse(self._create(2).user_id)


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestAssignmentCompany(HelpdeskIntakeCommon):
    """The assignee works for the ticket's company (its team's)."""

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
