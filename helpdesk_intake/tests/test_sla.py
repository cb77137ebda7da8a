from contextlib import contextmanager
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import convert_file

# Friday 9 January 2026, 16:00 in Brussels (UTC+1 in winter).
FRIDAY_16H_LOCAL = datetime(2026, 1, 9, 15, 0)
# Queries of a priority mass edit, whatever the number of tickets (see
# test_priority_mass_edit_query_budget).
BUDGET = 23


@tagged("post_install", "-at_install")
class TestSla(TransactionCase):
    """SLA deadlines on a 9-17 Monday-Friday calendar in Europe/Brussels."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Support 9-17",
                "tz": "Europe/Brussels",
                "hours_per_day": 8.0,
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 17,
                            "day_period": "full_day",
                        },
                    )
                    for day in range(5)
                ],
            }
        )
        cls.stage_new = cls.env["helpdesk.stage"].create(
            {"name": "SLA New", "sequence": 1}
        )
        cls.stage_progress = cls.env["helpdesk.stage"].create(
            {"name": "SLA Progress", "sequence": 2}
        )
        cls.stage_waiting = cls.env["helpdesk.stage"].create(
            {"name": "SLA Waiting", "sequence": 3}
        )
        cls.stage_solved = cls.env["helpdesk.stage"].create(
            {"name": "SLA Solved", "sequence": 4, "fold": True}
        )
        cls.stages = (
            cls.stage_new | cls.stage_progress | cls.stage_waiting | cls.stage_solved
        )
        cls.team = cls.env["helpdesk.team"].create(
            {
                "name": "SLA Team",
                "resource_calendar_id": cls.calendar.id,
                "stage_ids": [(6, 0, cls.stages.ids)],
                "use_acknowledgement": False,
            }
        )
        cls.tag_vip = cls.env["helpdesk.tag"].create({"name": "SLA VIP"})
        cls.sla_low = cls._make_sla("Low 4h", "0", hours=4, exclude=cls.stage_waiting)
        cls.sla_urgent = cls._make_sla("Urgent 1h", "3", hours=1)
        cls.customer = cls.env["res.partner"].create(
            {"name": "SLA Customer", "email": "sla@customer.test"}
        )

    @classmethod
    def _make_sla(
        cls,
        name,
        priority,
        hours=0,
        days=0,
        stage=None,
        exclude=None,
        team=None,
        **extra,
    ):
        return cls.env["helpdesk.sla"].create(
            {
                "name": name,
                "team_id": (team or cls.team).id,
                "priority": priority,
                "time_hours": hours,
                "time_days": days,
                "stage_id": (stage or cls.stage_solved).id,
                "exclude_stage_ids": [(6, 0, exclude.ids if exclude else [])],
                **extra,
            }
        )

    @contextmanager
    def _at(self, when):
        """Freeze Python's clock and the transaction's now(), which sets
        create_date."""
        cr = self.env.cr
        saved = cr._now
        with freeze_time(when):
            cr._now = when
            try:
                yield
            finally:
                cr._now = saved

    def _ticket(self, priority="0", **values):
        with self._at(values.pop("when", FRIDAY_16H_LOCAL)):
            return self.env["helpdesk.ticket"].create(
                {
                    "name": "Printer broken",
                    "team_id": self.team.id,
                    "priority": priority,
                    "partner_id": self.customer.id,
                    **values,
                }
            )

    def _status(self, ticket, sla):
        return ticket.sla_status_ids.filtered(lambda status: status.sla_id == sla)

    def test_deadline_in_working_hours_over_the_weekend(self):
        ticket = self._ticket()
        # Friday 16:00-17:00 then Monday 9:00-12:00 local, i.e. 11:00 UTC.
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 12, 11, 0))
        self.assertEqual(self._status(ticket, self.sla_low).status, "ongoing")

    def test_deadline_skips_public_holiday(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 1, 11, 23, 0),
                "date_to": datetime(2026, 1, 12, 23, 0),
                "time_type": "leave",
            }
        )
        ticket = self._ticket()
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 13, 11, 0))

    def test_days_count_working_days(self):
        sla = self._make_sla("Medium 1 day", "1", days=1)
        ticket = self._ticket(priority="1")
        # 8 working hours: Friday 1h, Monday 7h -> Monday 16:00 local.
        self.assertEqual(
            self._status(ticket, sla).deadline, datetime(2026, 1, 12, 15, 0)
        )

    def test_priority_change_reevaluates_policies(self):
        ticket = self._ticket()
        self.assertEqual(ticket.sla_status_ids.sla_id, self.sla_low)
        with self._at(datetime(2026, 1, 9, 15, 30)):
            ticket.priority = "3"
        # The urgent policy starts from the creation: Friday 17:00 local.
        self.assertEqual(ticket.sla_status_ids.sla_id, self.sla_urgent)
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 9, 16, 0))
        with self._at(datetime(2026, 1, 9, 15, 45)):
            ticket.priority = "0"
        self.assertEqual(ticket.sla_status_ids.sla_id, self.sla_low)
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 12, 11, 0))

    def test_failed_status_survives_priority_change(self):
        ticket = self._ticket(priority="3")
        with self._at(datetime(2026, 1, 12, 8, 0)):
            self.assertTrue(ticket.sla_fail)
            ticket.priority = "0"
        self.assertEqual(ticket.sla_status_ids.sla_id, self.sla_urgent | self.sla_low)

    def test_excluded_stage_pauses_the_clock(self):
        ticket = self._ticket()
        with self._at(datetime(2026, 1, 12, 9, 0)):  # Monday 10:00 local
            ticket.stage_id = self.stage_waiting
        status = self._status(ticket, self.sla_low)
        self.assertFalse(status.deadline)
        with self._at(
            datetime(2026, 1, 13, 8, 0)
        ):  # Tuesday 9:00 local, after the deadline
            self.assertFalse(ticket.sla_fail, "a paused SLA cannot fail")
        with self._at(datetime(2026, 1, 13, 9, 0)):  # Tuesday 10:00 local
            ticket.stage_id = self.stage_progress
        # Paused for Monday 10-17 and Tuesday 9-10: 8 working hours later.
        self.assertEqual(status.paused_hours, 8.0)
        self.assertEqual(status.deadline, datetime(2026, 1, 13, 11, 0))
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 13, 11, 0))

    def test_reach_and_reopen(self):
        ticket = self._ticket()
        status = self._status(ticket, self.sla_low)
        with self._at(datetime(2026, 1, 12, 9, 0)):
            ticket.stage_id = self.stage_solved
        self.assertEqual(status.status, "reached")
        self.assertEqual(status.reached_datetime, datetime(2026, 1, 12, 9, 0))
        self.assertEqual(status.color, 10)
        self.assertFalse(ticket.sla_deadline)
        with self._at(datetime(2026, 1, 12, 9, 30)):
            ticket.stage_id = self.stage_progress
        self.assertEqual(status.status, "ongoing")
        self.assertFalse(status.reached_datetime)
        with self._at(datetime(2026, 1, 12, 12, 0)):  # one hour late
            ticket.stage_id = self.stage_solved
            self.assertEqual(status.status, "failed")
            self.assertEqual(status.color, 1)
            self.assertAlmostEqual(status.exceeded_hours, 1.0)
            ticket.stage_id = self.stage_progress
        self.assertEqual(status.status, "failed", "a failure is final")

    def test_failed_as_of_now_without_cron(self):
        ticket = self._ticket()
        Ticket = self.env["helpdesk.ticket"]
        with self._at(datetime(2026, 1, 12, 10, 0)):
            self.assertIn(ticket, Ticket.search([("sla_ongoing", "=", True)]))
            self.assertNotIn(ticket, Ticket.search([("sla_fail", "=", True)]))
            self.assertEqual(self.team.sla_failed_count, 0)
        with self._at(datetime(2026, 1, 12, 12, 0)):
            self.team.invalidate_recordset(["sla_failed_count"])
            self.assertIn(ticket, Ticket.search([("sla_fail", "=", True)]))
            self.assertNotIn(ticket, Ticket.search([("sla_ongoing", "=", True)]))
            self.assertIn(ticket, Ticket.search([("sla_fail", "!=", False)]))
            self.assertNotIn(ticket, Ticket.search([("sla_fail", "=", False)]))
            self.assertEqual(self.team.sla_failed_count, 1)
            self.assertEqual(self.team.sla_success_rate, 0.0)
            self.assertEqual(self._status(ticket, self.sla_low).status, "ongoing")
            self.env["helpdesk.sla.status"]._cron_flag_failed()
            self.assertEqual(self._status(ticket, self.sla_low).status, "failed")

    def test_team_toggle(self):
        ticket = self._ticket()
        with self._at(datetime(2026, 1, 9, 15, 30)):
            self.team.use_sla = False
        self.assertFalse(ticket.sla_status_ids)
        self.assertFalse(ticket.sla_deadline)
        self.assertFalse(self._ticket().sla_status_ids)
        with self._at(datetime(2026, 1, 9, 15, 30)):
            self.team.use_sla = True
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 12, 11, 0))

    def test_several_policies_earliest_deadline(self):
        sla_vip = self._make_sla(
            "VIP 2h",
            "0",
            hours=2,
            stage=self.stage_progress,
            tag_ids=[(6, 0, self.tag_vip.ids)],
        )
        sla_customer = self._make_sla(
            "Customer 1 day", "0", days=1, partner_ids=[(6, 0, self.customer.ids)]
        )
        plain = self._ticket(partner_id=False)
        self.assertEqual(plain.sla_status_ids.sla_id, self.sla_low)
        ticket = self._ticket(tag_ids=[(6, 0, self.tag_vip.ids)])
        self.assertEqual(
            ticket.sla_status_ids.sla_id, self.sla_low | sla_vip | sla_customer
        )
        # VIP: Friday 16-17 + Monday 9-10 local.
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 12, 9, 0))
        with self._at(datetime(2026, 1, 9, 15, 30)):
            ticket.tag_ids = False
        self.assertEqual(ticket.sla_status_ids.sla_id, self.sla_low | sla_customer)
        self.assertEqual(ticket.sla_deadline, datetime(2026, 1, 12, 11, 0))

    def test_multi_company(self):
        company_b = self.env["res.company"].create({"name": "SLA Company B"})
        team_b = self.env["helpdesk.team"].create(
            {
                "name": "SLA Team B",
                "company_id": company_b.id,
                "stage_ids": [(6, 0, self.stages.ids)],
                "resource_calendar_id": False,
            }
        )
        sla_b = self._make_sla("B 4h", "0", hours=4, team=team_b)
        self.assertEqual(sla_b.company_id, company_b)
        ticket_b = self._ticket(team_id=team_b.id)
        self.assertEqual(
            ticket_b.sla_status_ids.sla_id, sla_b, "policies of other teams never apply"
        )
        self.assertEqual(ticket_b.company_id, company_b)
        user_a = new_test_user(
            self.env, login="sla_user_a", groups="helpdesk_intake.group_helpdesk_user"
        )
        with self.assertRaises(AccessError):
            ticket_b.sla_status_ids.with_user(user_a).read(["deadline"])
        self.assertFalse(
            self.env["helpdesk.sla"].with_user(user_a).search([("id", "=", sla_b.id)])
        )

    def test_priority_write_is_batched(self):
        """Changing priority on many tickets costs the same queries as on a few."""
        self._make_sla("Medium 1 day", "1", days=1)
        self._make_sla("High 4h", "2", hours=4)
        # created without their creation messages (ten times faster), then
        # written with tracking as usual
        Ticket = self.env["helpdesk.ticket"].with_context(tracking_disable=True)
        with self._at(FRIDAY_16H_LOCAL):
            few = Ticket.create(
                [{"name": f"Few {i}", "team_id": self.team.id} for i in range(50)]
            ).with_env(self.env)
            many = Ticket.create(
                [{"name": f"Many {i}", "team_id": self.team.id} for i in range(500)]
            ).with_env(self.env)
        few_queries = self._count_queries(lambda: few.write({"priority": "3"}))
        many_queries = self._count_queries(lambda: many.write({"priority": "3"}))
        self.assertTrue(
            all(ticket.sla_status_ids.sla_id == self.sla_urgent for ticket in many)
        )
        # Nothing runs per ticket: 500 tickets cost what 50 cost, plus the
        # chunks of 100 rows in which the ORM flushes its INSERT/UPDATEs.
        self.assertLessEqual(
            many_queries, few_queries + 4 * 5, (few_queries, many_queries)
        )
        self.assertLess(many_queries, 60)

    def test_priority_mass_edit_query_budget(self):
        """A mass edit of the priority, as the list view does it (tracking
        on), costs the same queries on 10 tickets as on 100."""
        self._make_sla("Medium 1 day", "1", days=1)
        self._make_sla("High 4h", "2", hours=4)
        with self._at(FRIDAY_16H_LOCAL):
            batches = [
                self.env["helpdesk.ticket"].create(
                    [
                        {"name": f"Budget {size}-{i}", "team_id": self.team.id}
                        for i in range(size)
                    ]
                )
                for size in (3, 10, 100)
            ]
            self.env.flush_all()
            self.env.cr.precommit.run()
        warm_up, *batches = batches
        # fills the caches (field definitions, defaults) the first edit reads
        warm_up.write({"priority": "1"})
        self.env.flush_all()
        self.env.cr.precommit.run()
        for tickets in batches:
            self.env.invalidate_all()
            # Budget: the tracked values, the policies, the current statuses
            # and their tickets' stages, the DELETE and INSERT of statuses,
            # one UPDATE per ticket (priority and earliest deadline together:
            # the new statuses are not read back), and the tracking messages
            # with their values created together (one INSERT each per 100
            # tickets).
            with self._at(FRIDAY_16H_LOCAL), self.assertQueryCount(BUDGET):
                tickets.write({"priority": "3"})
                self.env.flush_all()
                self.env.cr.precommit.run()
            self.assertEqual(tickets.sla_status_ids.sla_id, self.sla_urgent)
            self.assertEqual(len(tickets.sla_status_ids), len(tickets))
            # Urgent 1h from Friday 16:00 local: 17:00 local
            self.assertEqual(
                set(tickets.mapped("sla_deadline")), {datetime(2026, 1, 9, 16, 0)}
            )

    def _stored_deadline(self, tickets):
        """The tickets' ``sla_deadline`` as stored in the database."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, sla_deadline FROM helpdesk_ticket WHERE id = ANY(%s)",
            [tickets.ids],
        )
        return dict(self.env.cr.fetchall())

    def test_deadline_of_kept_and_new_statuses(self):
        """The earliest deadline written with new statuses also counts the
        ongoing statuses a ticket keeps, late ones included."""
        self._make_sla("Medium 1 day", "1", days=1)
        self._make_sla(
            "Medium VIP 2 days", "1", days=2, tag_ids=[(6, 0, self.tag_vip.ids)]
        )
        tickets = self._ticket(priority="1") | self._ticket(priority="1")
        # Friday 16-17 + Monday 9-16 local
        medium = datetime(2026, 1, 12, 15, 0)
        self.assertEqual(set(self._stored_deadline(tickets).values()), {medium})
        with self._at(FRIDAY_16H_LOCAL):
            tickets.write({"tag_ids": [(4, self.tag_vip.id)]})
        # the VIP policy (Tuesday 16:00 local) joins the earlier one
        self.assertEqual(len(tickets.sla_status_ids), 4)
        self.assertEqual(set(self._stored_deadline(tickets).values()), {medium})
        # Tuesday: the day-long status is late but still ongoing (the
        # scheduled action has not flagged it), so it stays and counts
        tuesday = datetime(2026, 1, 13, 10, 0)
        with self._at(tuesday):
            tickets[0].write({"priority": "2"})
        self.assertEqual(len(tickets[0].sla_status_ids), 1)
        self.assertEqual(set(self._stored_deadline(tickets).values()), {medium})
        with self._at(tuesday):
            tickets.write({"priority": "3"})
        # Urgent 1h from Friday 16:00 local
        urgent = datetime(2026, 1, 9, 16, 0)
        self.assertEqual(set(self._stored_deadline(tickets).values()), {urgent})
        self.env.invalidate_all()
        tickets._compute_sla_deadline()
        self.assertEqual(set(tickets.mapped("sla_deadline")), {urgent})

    def test_mass_edit_logs_like_a_single_edit(self):
        """The tracking of a mass edit, logged in one batch, is the message
        Odoo logs for one ticket; a stage change still posts its subtype."""
        single, *pair = (self._ticket() for _i in range(3))
        pair = pair[0] | pair[1]
        self.env.cr.precommit.run()
        for tickets in (single, pair):
            tickets.write({"priority": "2"})
            self.env.flush_all()
            self.env.cr.precommit.run()

        def logged(ticket):
            message = ticket.message_ids[0]
            return (
                message.message_type,
                message.subtype_id,
                message.author_id,
                message.is_internal,
                str(message.body),
                [
                    (value.field_id.name, value.old_value_char, value.new_value_char)
                    for value in message.tracking_value_ids
                ],
            )

        expected = logged(single)
        self.assertEqual(expected[5], [("priority", "Low", "High")])
        for ticket in pair:
            self.assertEqual(logged(ticket), expected)
        self.assertNotEqual(
            pair[0].message_ids[0].message_id, pair[1].message_ids[0].message_id
        )

        pair.write({"stage_id": self.stage_progress.id, "priority": "1"})
        self.env.flush_all()
        self.env.cr.precommit.run()
        for ticket in pair:
            message = ticket.message_ids[0]
            self.assertEqual(
                message.subtype_id, self.env.ref("helpdesk_intake.mt_ticket_stage")
            )
            self.assertEqual(
                set(message.tracking_value_ids.field_id.mapped("name")),
                {"stage_id", "priority"},
            )

    def _count_queries(self, operation):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with self._at(FRIDAY_16H_LOCAL):
            operation()
            self.env.flush_all()
        return self.cr.sql_log_count - before

    # ------------------------------------------------------------
    # Policies created or edited later, stage history, closing
    # ------------------------------------------------------------

    def _move(self, ticket, stage, when):
        """Move ``ticket`` to ``stage`` at ``when``, its stage tracking logged
        at that time as it is at the end of a request."""
        with self._at(when):
            ticket.stage_id = stage
            self.env.flush_all()
            self.env.cr.precommit.run()

    def test_new_policy_applies_to_open_tickets(self):
        open_ticket = self._ticket(priority="1")
        other = self._ticket(priority="2")
        closed = self._ticket(priority="1", stage_id=self.stage_solved.id)
        self.assertFalse(open_ticket.sla_status_ids)
        with self._at(datetime(2026, 1, 9, 15, 30)):
            sla = self._make_sla("Medium 2h", "1", hours=2)
        self.assertEqual(open_ticket.sla_status_ids.sla_id, sla)
        # Friday 16-17 + Monday 9-10 local.
        self.assertEqual(open_ticket.sla_deadline, datetime(2026, 1, 12, 9, 0))
        self.assertFalse(other.sla_status_ids)
        self.assertFalse(closed.sla_status_ids, "closed tickets keep their history")

        with self._at(datetime(2026, 1, 9, 15, 30)):
            sla.time_hours = 4
        self.assertEqual(open_ticket.sla_deadline, datetime(2026, 1, 12, 11, 0))
        with self._at(datetime(2026, 1, 9, 15, 30)):
            sla.priority = "2"
        self.assertFalse(open_ticket.sla_status_ids)
        self.assertEqual(other.sla_status_ids.sla_id, sla)
        with self._at(datetime(2026, 1, 9, 15, 30)):
            sla.action_archive()
        self.assertFalse(other.sla_status_ids)
        self.assertFalse(other.sla_deadline)

    def test_new_policy_is_batched(self):
        with self._at(FRIDAY_16H_LOCAL):
            tickets = self.env["helpdesk.ticket"].create(
                [
                    {"name": f"Batch {i}", "team_id": self.team.id, "priority": "2"}
                    for i in range(60)
                ]
            )
        self.env.flush_all()
        before = self.cr.sql_log_count
        with self._at(FRIDAY_16H_LOCAL):
            sla = self._make_sla("High 4h", "2", hours=4)
            self.env.flush_all()
        self.assertLess(self.cr.sql_log_count - before, 60)
        self.assertEqual(tickets.sla_status_ids.sla_id, sla)
        self.assertEqual(len(tickets.sla_status_ids), 60)

    def test_time_exceeded_empty_while_on_time(self):
        ticket = self._ticket()
        status = self._status(ticket, self.sla_low)
        with self._at(datetime(2026, 1, 12, 9, 0)):
            self.assertEqual(status.exceeded_hours, 0.0, "ongoing, on time")
        status.invalidate_recordset(["exceeded_hours"])
        with self._at(datetime(2026, 1, 12, 13, 0)):
            self.assertAlmostEqual(status.exceeded_hours, 2.0, msg="ongoing, late")
        status.invalidate_recordset(["exceeded_hours"])
        with self._at(datetime(2026, 1, 12, 9, 0)):
            ticket.stage_id = self.stage_solved
            self.assertAlmostEqual(status.exceeded_hours, -2.0, msg="reached early")

    def _logged_ticket(self, **values):
        """A ticket created in an earlier request than the next changes."""
        ticket = self._ticket(**values)
        with self._at(FRIDAY_16H_LOCAL):
            self.env.flush_all()
            self.env.cr.precommit.run()
        return ticket

    def test_policy_added_later_counts_excluded_stages(self):
        ticket = self._logged_ticket(priority="1")
        self._move(ticket, self.stage_waiting, datetime(2026, 1, 12, 9, 0))
        self._move(ticket, self.stage_progress, datetime(2026, 1, 13, 9, 0))
        with self._at(datetime(2026, 1, 13, 9, 30)):
            ticket.priority = "0"
        status = self._status(ticket, self.sla_low)
        # Waiting Monday 10-17 and Tuesday 9-10 local: 8 working hours.
        self.assertEqual(status.paused_hours, 8.0)
        self.assertFalse(status.paused_since)
        self.assertEqual(status.deadline, datetime(2026, 1, 13, 11, 0))

    def test_policy_added_while_waiting_starts_paused(self):
        ticket = self._logged_ticket(priority="1")
        self._move(ticket, self.stage_waiting, datetime(2026, 1, 12, 9, 0))
        with self._at(datetime(2026, 1, 12, 13, 0)):
            ticket.priority = "0"
        status = self._status(ticket, self.sla_low)
        self.assertEqual(status.paused_since, datetime(2026, 1, 12, 9, 0))
        self.assertFalse(status.deadline)
        self._move(ticket, self.stage_progress, datetime(2026, 1, 13, 9, 0))
        self.assertEqual(status.paused_hours, 8.0)
        self.assertEqual(status.deadline, datetime(2026, 1, 13, 11, 0))

    def _notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda message: message.subtype_id == self.env.ref("mail.mt_note")
        )

    def test_closing_note_before_and_after_deadline(self):
        early, late = self._ticket(), self._ticket()
        with self._at(datetime(2026, 1, 12, 8, 30)):  # Monday 9:30 local
            early.stage_id = self.stage_solved
        self.assertIn(
            "Closed 02:30 working hours before the deadline of the SLA policy Low 4h.",
            self._notes(early).body,
        )
        with self._at(datetime(2026, 1, 13, 8, 15)):  # Tuesday 9:15 local
            late.stage_id = self.stage_solved
        # Monday 12-17 and Tuesday 9-9:15 local.
        self.assertIn(
            "Closed 05:15 working hours after the deadline of the SLA policy Low 4h.",
            self._notes(late).body,
        )
        with self._at(datetime(2026, 1, 13, 8, 30)):
            late.stage_id = self.stage_progress
            late.stage_id = self.stage_solved
        self.assertEqual(len(self._notes(late)), 1, "a failure is settled once")

    def test_no_closing_note_without_deadline(self):
        ticket = self._ticket(priority="2")
        with self._at(datetime(2026, 1, 12, 8, 30)):
            ticket.stage_id = self.stage_solved
        self.assertFalse(self._notes(ticket))

    def test_answer_expected_in_customer_time_zone(self):
        ticket = self._ticket()
        # Babel separates the hour from AM/PM with a narrow no-break space
        # in recent versions.
        self.assertEqual(
            ticket.sla_answer_expected.replace("\u202f", " "),
            "Monday, January 12, 2026, 12:00 PM (Europe/Brussels)",
        )
        self.customer.tz = "America/New_York"
        self.assertEqual(
            ticket.sla_answer_expected.replace("\u202f", " "),
            "Monday, January 12, 2026, 6:00 AM (America/New_York)",
        )
        # the template as shipped, whatever a database made of it
        convert_file(
            self.env,
            "helpdesk_intake",
            "data/mail_template_data.xml",
            {},
            mode="init",
        )
        template = self.env.ref("helpdesk_intake.mail_template_ticket_ack")
        body = template._render_field("body_html", ticket.ids)[ticket.id]
        self.assertIn("You can expect an answer by", body)
        self.assertIn("(America/New_York)", body)

        no_policy = self._ticket(priority="2")
        self.assertFalse(no_policy.sla_answer_expected)
        body = template._render_field("body_html", no_policy.ids)[no_policy.id]
        self.assertNotIn("You can expect an answer", body)
