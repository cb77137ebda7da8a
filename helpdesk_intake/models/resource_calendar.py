from bisect import bisect_left, bisect_right
from datetime import timedelta
from itertools import accumulate

import pytz

from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _first_work_starts(self, start, end, resources):
        """When each of ``resources`` (and the calendar itself, key False)
        first works between the aware datetimes ``start`` and ``end``, leaves
        excluded: ``start`` itself when working then, None when not at all."""
        self.ensure_one()
        intervals = self._work_intervals_batch(
            start, end, resources=resources, compute_leaves=True
        )
        return {
            resource_id: min((begin for begin, _end, _meta in found), default=None)
            for resource_id, found in intervals.items()
        }

    def _plan_work_hours_batch(self, requests):
        """Add working hours to datetimes on this calendar, in one pass for many.

        ``self`` is the calendar, or an empty recordset for 24/7 work.

        :param requests: list of (start, hours) with naive UTC datetimes
        :return: list of naive UTC deadlines, in the order of ``requests``

        Odoo's ``plan_hours`` reads the calendar and its leaves on every call;
        here the work intervals are read once for the whole span and each request
        is answered by bisection over the cumulated working time.
        """
        if not requests:
            return []
        if not self:
            return [start + timedelta(hours=hours) for start, hours in requests]
        first = min(start for start, _hours in requests)
        last = max(start for start, _hours in requests)
        max_hours = max(hours for _start, hours in requests)
        horizon = timedelta(
            days=14 + 2 * int(max_hours / max(self.hours_per_day or 8.0, 1.0)) * 7
        )
        for _attempt in range(12):
            intervals = [
                (
                    begin.astimezone(pytz.utc).replace(tzinfo=None),
                    end.astimezone(pytz.utc).replace(tzinfo=None),
                )
                for begin, end, _meta in self._work_intervals_batch(
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
