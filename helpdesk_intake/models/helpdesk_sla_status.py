from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_duration

# Colors of the SLA tags (kanban color indexes): red, green, neutral.
COLOR_FAILED, COLOR_REACHED, COLOR_ONGOING = 1, 10, 0


class HelpdeskSlaStatus(models.Model):
    _name = "helpdesk.sla.status"
    _description = "Ticket SLA Status"
    _order = "deadline asc, id"
    _rec_name = "sla_id"

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sla_id = fields.Many2one(
        "helpdesk.sla",
        string="SLA Policy",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sla_stage_id = fields.Many2one(related="sla_id.stage_id", string="Reach Stage")
    # Reporting dimensions come from the policy, whose team and priority are
    # the ticket's while it applies, so that they never need rewriting.
    team_id = fields.Many2one(related="sla_id.team_id", store=True, index=True)
    company_id = fields.Many2one(related="sla_id.company_id", store=True, index=True)
    priority = fields.Selection(related="sla_id.priority", store=True)
    intake_channel = fields.Selection(related="ticket_id.intake_channel", store=True)
    deadline = fields.Datetime(
        index=True,
        readonly=True,
        help="Empty while the ticket waits in an excluded stage.",
    )
    reached_datetime = fields.Datetime(string="Reached on", readonly=True)
    paused_since = fields.Datetime(readonly=True)
    paused_hours = fields.Float(
        readonly=True,
        help="Working hours spent in excluded stages, added to the deadline.",
    )
    status = fields.Selection(
        [("ongoing", "Ongoing"), ("reached", "Reached"), ("failed", "Failed")],
        default="ongoing",
        required=True,
        readonly=True,
        index=True,
    )
    exceeded_hours = fields.Float(
        string="Time Exceeded (hours)",
        compute="_compute_exceeded_hours",
        help="Working hours past the deadline (negative: reached ahead of time; "
        "empty while ongoing and on time).",
    )
    color = fields.Integer(compute="_compute_color")

    _ticket_sla_uniq = models.UniqueIndex("(ticket_id, sla_id)")
    _ongoing_deadline_idx = models.Index("(deadline) WHERE status = 'ongoing'")
    # Success rate of the team overview, over recent statuses, from the
    # index only.
    _team_create_date_idx = models.Index(
        "(team_id, create_date) INCLUDE (company_id, status, deadline)"
    )
    # "Failed" counter of the team overview: the statuses not reached, matched
    # with the open tickets, from the index only.
    _unreached_ticket_idx = models.Index(
        "(ticket_id) INCLUDE (team_id, company_id, status, deadline)"
        " WHERE status IN ('failed', 'ongoing')"
    )

    @api.depends("status", "deadline")
    def _compute_color(self):
        now = fields.Datetime.now()
        for status in self:
            if status._is_failed(now):
                status.color = COLOR_FAILED
            elif status.status == "reached":
                status.color = COLOR_REACHED
            else:
                status.color = COLOR_ONGOING

    @api.depends("deadline", "reached_datetime", "status")
    def _compute_exceeded_hours(self):
        now = fields.Datetime.now()
        for status in self:
            end = status.reached_datetime or now
            # an ongoing status has exceeded nothing until it is late
            if not status.deadline or (
                status.status == "ongoing" and end <= status.deadline
            ):
                status.exceeded_hours = 0.0
                continue
            calendar = status.sla_id.resource_calendar_id
            if calendar:
                sign = 1 if end >= status.deadline else -1
                earlier, later = sorted((end, status.deadline))
                hours = calendar.get_work_hours_count(
                    earlier, later, compute_leaves=True
                )
                status.exceeded_hours = sign * hours
            else:
                status.exceeded_hours = (end - status.deadline).total_seconds() / 3600.0

    def _is_failed(self, now):
        self.ensure_one()
        return self.status == "failed" or (
            self.status == "ongoing" and self.deadline and self.deadline < now
        )

    @api.model
    def _failed_domain(self, now=None):
        """Statuses failed as of ``now``, whether or not the scheduled action
        already flagged them."""
        now = now or fields.Datetime.now()
        return [
            "|",
            ("status", "=", "failed"),
            "&",
            ("status", "=", "ongoing"),
            ("deadline", "<", now),
        ]

    @api.model
    def _apply_to_tickets(self, tickets):
        """Bring the SLA statuses of ``tickets`` in line with the policies
        that apply now: new policies start from the ticket's creation,
        policies that no longer apply are dropped unless already reached or
        failed. Done for the whole batch with a constant number of queries."""
        Status = self.sudo()
        tickets = tickets.sudo()
        policies = (
            self.env["helpdesk.sla"]
            .sudo()
            .with_context(active_test=True)
            .search([("team_id", "in", tickets.team_id.filtered("use_sla").ids)])
        )
        # A ticket only meets the policies of its team and priority: the
        # other criteria are read for those candidates only.
        candidates = defaultdict(list)
        for sla in policies:
            priority, tag_ids, partner_ids = sla._criteria()
            candidates[sla.team_id.id, priority].append((sla, tag_ids, partner_ids))
        tickets.sla_status_ids.fetch(["sla_id", "status", "deadline"])
        now = fields.Datetime.now()
        obsolete, new_pairs, changed_ids = [], [], set()
        # ongoing deadlines each ticket keeps, for its earliest deadline
        kept_deadlines = {}
        for ticket in tickets:
            priority = ticket.priority
            applicable = {
                sla
                for sla, tag_ids, partner_ids in candidates[ticket.team_id.id, priority]
                if self._policy_matches(ticket, priority, tag_ids, partner_ids)
            }
            covered, kept, dropped = set(), [], False
            for status in ticket.sla_status_ids:
                covered.add(status.sla_id)
                if (
                    status.sla_id not in applicable
                    and status.status == "ongoing"
                    and not status._is_failed(now)
                ):
                    obsolete.append(status.id)
                    dropped = True
                elif status.status == "ongoing" and status.deadline:
                    kept.append(status.deadline)
            missing = applicable - covered
            if missing:
                new_pairs += [(ticket, sla) for sla in missing]
            if dropped or missing:
                changed_ids.add(ticket.id)
                kept_deadlines[ticket.id] = kept
        if not changed_ids:
            return
        Status.browse(obsolete)._drop()
        values_list = Status._prepare_values(new_pairs)
        created = Status._insert(values_list)
        changed = tickets.browse(changed_ids)
        changed.modified(["sla_status_ids"])
        changed._set_sla_deadline(kept_deadlines, values_list)
        # Only policies with excluded stages have time to catch up, and a
        # new status only moves when its ticket already reached the policy's
        # stage or waits in an excluded one.
        reach_sequence = {sla: sla.stage_id.sequence for _ticket, sla in new_pairs}
        excluding = {sla for sla in reach_sequence if sla.exclude_stage_ids}
        created.browse(
            status_id
            for status_id, (_ticket, sla) in zip(created.ids, new_pairs, strict=True)
            if sla in excluding
        )._catch_up_paused_time(now)
        created.browse(
            status_id
            for status_id, (ticket, sla) in zip(created.ids, new_pairs, strict=True)
            if sla in excluding or ticket.stage_id.sequence >= reach_sequence[sla]
        )._update_for_stage(now)

    @api.model
    def _policy_matches(self, ticket, priority, tag_ids, partner_ids):
        """Whether a policy of the ticket's team with these criteria (see
        ``helpdesk.sla._criteria``) applies to ``ticket``."""
        return (
            priority == ticket.priority
            and (not tag_ids or bool(tag_ids & set(ticket.tag_ids.ids)))
            and (
                not partner_ids
                or bool(
                    partner_ids
                    & {ticket.partner_id.id, ticket.partner_id.commercial_partner_id.id}
                )
            )
        )

    @api.model
    def _prepare_values(self, pairs):
        """Create values of statuses for (ticket, sla) pairs, deadlines planned
        in one pass per calendar."""
        now = fields.Datetime.now()
        policies = {sla for _ticket, sla in pairs}
        # The related reporting fields are given, not computed after the
        # insert: that would rewrite every new row once more.
        policy_values = {
            sla: {
                "sla_id": sla.id,
                "status": "ongoing",
                "team_id": sla.team_id.id,
                "company_id": sla.company_id.id,
                "priority": sla.priority,
            }
            for sla in policies
        }
        target_hours = {sla: sla._target_hours() for sla in policies}
        by_calendar = defaultdict(list)
        for position, (_ticket, sla) in enumerate(pairs):
            by_calendar[sla.resource_calendar_id].append(position)
        values = [
            {
                **policy_values[sla],
                "ticket_id": ticket.id,
                "intake_channel": ticket.intake_channel,
            }
            for ticket, sla in pairs
        ]
        for calendar, positions in by_calendar.items():
            requests = [
                (
                    pairs[pos][0].create_date or now,
                    target_hours[pairs[pos][1]],
                )
                for pos in positions
            ]
            for pos, deadline in zip(
                positions, calendar._plan_work_hours_batch(requests), strict=True
            ):
                values[pos]["deadline"] = deadline
        return values

    @api.model
    def _insert(self, values_list):
        """Insert statuses from ``values_list`` (stored columns only) and
        return them, in that order.

        Statuses are plain rows: no mail thread, attachments, external ids
        nor computed stored fields (the related reporting columns are
        given). One INSERT of all rows spares the ORM's per-record create
        work, most of the cost of re-evaluating thousands of tickets.
        The caller marks the tickets' ``sla_status_ids`` as modified."""
        if not values_list:
            return self.browse()
        cr = self.env.cr
        columns = sorted({name for values in values_list for name in values})
        arrays = [
            SQL(
                "%s::%s[]",
                [
                    self._fields[name].convert_to_column_insert(values.get(name), self)
                    for values in values_list
                ],
                SQL(self._fields[name].column_type[0]),
            )
            for name in columns
        ]
        now = cr.now()
        cr.execute(
            SQL(
                "INSERT INTO %s (%s, create_uid, create_date, write_uid, write_date)"
                " SELECT *, %s, %s, %s, %s FROM unnest(%s)"
                " RETURNING ticket_id, sla_id, id",
                SQL.identifier(self._table),
                SQL(", ").join(map(SQL.identifier, columns)),
                self.env.uid,
                now,
                self.env.uid,
                now,
                SQL(", ").join(arrays),
            )
        )
        # a ticket has one status per policy (unique index)
        inserted = {
            (ticket_id, sla_id): id_ for ticket_id, sla_id, id_ in cr.fetchall()
        }
        ids = [
            inserted[values["ticket_id"], values["sla_id"]] for values in values_list
        ]
        tickets = self.env["helpdesk.ticket"].browse(
            {values["ticket_id"] for values in values_list}
        )
        tickets.invalidate_recordset(["sla_status_ids"])
        return self.browse(ids)

    def _drop(self):
        """Delete statuses whose policy no longer applies.

        They are plain rows (no attachments, activities or external ids):
        deleting them in SQL spares the flush of the whole transaction that
        ``unlink`` starts, which would write every changed ticket twice when
        priorities change in bulk. The caller marks the tickets'
        ``sla_status_ids`` as modified."""
        if not self:
            return
        tickets = self.ticket_id
        self.env.cr.execute(
            SQL("DELETE FROM helpdesk_sla_status WHERE id = ANY(%s)", list(self.ids))
        )
        self.invalidate_recordset()
        tickets.invalidate_recordset(["sla_status_ids"])

    def _replan_deadlines(self):
        by_calendar = defaultdict(lambda: self.browse())
        for status in self:
            by_calendar[status.sla_id.resource_calendar_id] |= status
        for calendar, statuses in by_calendar.items():
            requests = [
                (
                    status.ticket_id.create_date,
                    status.sla_id._target_hours() + status.paused_hours,
                )
                for status in statuses
            ]
            for status, deadline in zip(
                statuses, calendar._plan_work_hours_batch(requests), strict=True
            ):
                status.deadline = deadline

    def _catch_up_paused_time(self, now):
        """Pause new statuses of tickets that already spent time in the
        policy's excluded stages, as if the policy had applied from the
        start: the working hours spent there push the deadline, and a ticket
        waiting in one now starts paused since it entered it."""
        older = self.filtered(lambda status: status.ticket_id.create_date < now)
        history = self._stage_history(older.ticket_id, now)
        to_replan = self.browse()
        for status in older:
            excluded = status.sla_id.exclude_stage_ids
            for stage, start, end in history[status.ticket_id.id]:
                if stage not in excluded.ids:
                    continue
                if end is None:
                    status.paused_since = start
                    status.deadline = False
                else:
                    status.paused_hours += status._working_hours_between(start, end)
            if status.paused_hours and not status.paused_since:
                to_replan |= status
        to_replan._replan_deadlines()

    @api.model
    def _stage_history(self, tickets, now):
        """{ticket id: [(stage id, start, end)]}: the stages each ticket went
        through, read from the stage tracking of its messages; ``end`` is None
        for the current stage."""
        history = {}
        if not tickets:
            return history
        field = self.env["ir.model.fields"]._get("helpdesk.ticket", "stage_id")
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search_fetch(
                [
                    ("field_id", "=", field.id),
                    ("mail_message_id.model", "=", "helpdesk.ticket"),
                    ("mail_message_id.res_id", "in", tickets.ids),
                ],
                ["mail_message_id", "old_value_integer", "new_value_integer"],
                order="id",
            )
        )
        changes = defaultdict(list)
        for tracking in trackings:
            message = tracking.mail_message_id
            changes[message.res_id].append(
                (message.date, tracking.old_value_integer, tracking.new_value_integer)
            )
        for ticket in tickets:
            moves = changes[ticket.id]
            stage = moves[0][1] if moves else ticket.stage_id.id
            start, segments = ticket.create_date, []
            for date, _old, new in moves:
                segments.append((stage, start, date))
                stage, start = new, date
            if stage != ticket.stage_id.id:
                # a move not yet logged: it happens now
                segments.append((stage, start, now))
                stage, start = ticket.stage_id.id, now
            segments.append((stage, start, None))
            history[ticket.id] = segments
        return history

    def _update_for_stage(self, now):
        """Follow the ticket's new stage: pause in excluded stages, reach the
        policy's stage, or reopen when moved back before it."""
        to_replan = settled = self.browse()
        for status in self:
            stage = status.ticket_id.stage_id
            sla = status.sla_id
            if status.status == "ongoing" and stage.sequence >= sla.stage_id.sequence:
                status.reached_datetime = now
                on_time = (
                    status.paused_since or not status.deadline or now <= status.deadline
                )
                status.status = "reached" if on_time else "failed"
                status.paused_since = False
                settled |= status
                continue
            if status.status == "reached" and stage.sequence < sla.stage_id.sequence:
                status.status = "ongoing"
                status.reached_datetime = False
            if status.status != "ongoing":
                continue
            excluded = stage in sla.exclude_stage_ids
            if excluded and not status.paused_since:
                status.paused_since = now
                status.deadline = False
            elif not excluded and status.paused_since:
                status.paused_hours += status._working_hours_between(
                    status.paused_since, now
                )
                status.paused_since = False
                to_replan |= status
        to_replan._replan_deadlines()
        settled.filtered(
            lambda status: status.ticket_id.is_closed and status.deadline
        )._post_closing_note(now)

    def _post_closing_note(self, now):
        """Tell on each closed ticket how long before or after the deadline
        of its policies it was closed, in working time."""
        for ticket, statuses in self.grouped("ticket_id").items():
            lines = []
            for status in statuses:
                hours = status._working_hours_between(*sorted((now, status.deadline)))
                values = {
                    "duration": format_duration(hours),
                    "policy": status.sla_id.name,
                }
                if now <= status.deadline:
                    lines.append(
                        self.env._(
                            "Closed %(duration)s working hours before the "
                            "deadline of the SLA policy %(policy)s.",
                            **values,
                        )
                    )
                else:
                    lines.append(
                        self.env._(
                            "Closed %(duration)s working hours after the "
                            "deadline of the SLA policy %(policy)s.",
                            **values,
                        )
                    )
            ticket.message_post(
                body=Markup("<br/>").join(lines), subtype_xmlid="mail.mt_note"
            )

    def _working_hours_between(self, start, end):
        calendar = self.sla_id.resource_calendar_id
        if not calendar:
            return (end - start).total_seconds() / 3600.0
        return calendar.get_work_hours_count(start, end, compute_leaves=True)

    @api.model
    def _cron_flag_failed(self):
        """Flag as failed the statuses whose deadline passed, for reporting."""
        self.search(
            [("status", "=", "ongoing"), ("deadline", "<", fields.Datetime.now())]
        ).write({"status": "failed"})
