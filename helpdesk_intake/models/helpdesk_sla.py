from bisect import bisect_left, bisect_right
from datetime import timedelta
from itertools import accumulate

import pytz

from odoo import api, fields, models

from .helpdesk_ticket import TICKET_PRIORITIES


class HelpdeskSla(models.Model):
    _name = "helpdesk.sla"
    _description = "Helpdesk SLA Policy"
    _order = "team_id, priority desc, id"

    name = fields.Char(string="Title", required=True, translate=True)
    description = fields.Html(translate=True)
    active = fields.Boolean(default=True)
    team_id = fields.Many2one(
        "helpdesk.team", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True, index=True)
    priority = fields.Selection(
        TICKET_PRIORITIES,
        default="0",
        required=True,
        help="The policy applies to the tickets of this priority only.",
    )
    tag_ids = fields.Many2many(
        "helpdesk.tag",
        string="Tags",
        help="When set, tickets must carry one of these tags.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="When set, the policy applies to these customers only.",
    )
    stage_id = fields.Many2one(
        "helpdesk.stage",
        string="Reach Stage",
        required=True,
        domain="[('team_ids', 'in', team_id)]",
        help="The policy is met when the ticket reaches this stage (or a later one).",
    )
    exclude_stage_ids = fields.Many2many(
        "helpdesk.stage",
        relation="helpdesk_sla_exclude_stage_rel",
        string="Excluding Stages",
        domain="[('team_ids', 'in', team_id)]",
        help="Time spent in these stages does not count (waiting for the customer).",
    )
    time_days = fields.Integer(string="Days", default=0)
    time_hours = fields.Float(string="Hours", default=0.0)
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        help="Deadlines count working time of this calendar, honouring its leaves.",
    )

    _target_positive = models.Constraint(
        "CHECK(time_days >= 0 AND time_hours >= 0)",
        "The target time of an SLA policy cannot be negative.",
    )

    @api.depends("team_id")
    def _compute_resource_calendar_id(self):
        for sla in self:
            sla.resource_calendar_id = (
                sla.team_id.resource_calendar_id
                or sla.team_id.company_id.resource_calendar_id
            )

    def _target_hours(self):
        """Target time in working hours; a day is one working day of the calendar."""
        self.ensure_one()
        hours_per_day = self.resource_calendar_id.hours_per_day or 24.0
        return self.time_days * hours_per_day + self.time_hours

    def _criteria(self):
        """(priority, tag ids, customer ids) a ticket must match; empty sets
        match any ticket."""
        self.ensure_one()
        return self.priority, set(self.tag_ids.ids), set(self.partner_ids.ids)


def plan_work_hours(calendar, requests):
    """Add working hours to datetimes on ``calendar``, in one pass for many.

    :param calendar: resource.calendar record, or an empty one for 24/7 work
    :param requests: list of (start, hours) with naive UTC datetimes
    :return: list of naive UTC deadlines, in the order of ``requests``

    Odoo's ``plan_hours`` reads the calendar and its leaves on every call;
    here the work intervals are read once for the whole span and each request
    is answered by bisection over the cumulated working time.
    """
    if not requests:
        return []
    if not calendar:
        return [start + timedelta(hours=hours) for start, hours in requests]
    first = min(start for start, _hours in requests)
    last = max(start for start, _hours in requests)
    max_hours = max(hours for _start, hours in requests)
    horizon = timedelta(
        days=14 + 2 * int(max_hours / max(calendar.hours_per_day or 8.0, 1.0)) * 7
    )
    for _attempt in range(12):
        intervals = [
            (
                begin.astimezone(pytz.utc).replace(tzinfo=None),
                end.astimezone(pytz.utc).replace(tzinfo=None),
            )
            for begin, end, _meta in calendar._work_intervals_batch(
                pytz.utc.localize(first),
                pytz.utc.localize(last + horizon),
                compute_leaves=True,
            )[False]
        ]
        deadlines = _plan_on_intervals(intervals, requests)
        if deadlines is not None:
            return deadlines
        horizon *= 2
    # A calendar without working time: no deadline can ever be met.
    return [False] * len(requests)


def _plan_on_intervals(intervals, requests):
    if not intervals:
        return None
    ends = [end for _begin, end in intervals]
    durations = [(end - begin).total_seconds() for begin, end in intervals]
    worked_before = [0.0, *accumulate(durations)]  # seconds worked before interval i
    deadlines = []
    for start, hours in requests:
        index = bisect_right(ends, start)
        if index == len(intervals):
            return None
        begin = intervals[index][0]
        offset = worked_before[index] + max(0.0, (start - begin).total_seconds())
        target = offset + hours * 3600.0
        # interval in which the target working second falls
        target_index = max(bisect_left(worked_before, target) - 1, index)
        if target_index >= len(intervals) or worked_before[target_index + 1] < target:
            return None
        slot_begin = intervals[target_index][0]
        deadlines.append(
            slot_begin + timedelta(seconds=target - worked_before[target_index])
        )
    return deadlines
