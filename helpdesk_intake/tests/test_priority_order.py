from odoo.tests import tagged

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestPriorityOrder(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tickets = cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Ticket {index} p{priority}",
                    "team_id": cls.team.id,
                    "priority": priority,
                    "stage_id": stage.id,
                    "intake_channel": "manual",
                }
                for index, (priority, stage) in enumerate(
                    [
                        ("0", cls.stage_new),
                        ("3", cls.stage_new),
                        ("1", cls.stage_in_progress),
                        ("2", cls.stage_new),
                        ("3", cls.stage_in_progress),
                        ("0", cls.stage_in_progress),
                        ("1", cls.stage_new),
                    ]
                )
            ]
        )

    def _assert_priority_ordered(self, records):
        keys = [(int(record.priority), record.id) for record in records]
        self.assertEqual(keys, sorted(keys, reverse=True), records.mapped("name"))

    def test_order_starts_with_priority(self):
        order = self.env["helpdesk.ticket"]._order
        self.assertTrue(
            order.replace(" ", "").lower().startswith("prioritydesc"), order
        )

    def test_search_default_order(self):
        everything = self.env["helpdesk.ticket"].search([])
        self.assertTrue(self.tickets <= everything)
        self._assert_priority_ordered(everything)
        ours = self.env["helpdesk.ticket"].search([("id", "in", self.tickets.ids)])
        self.assertEqual(ours.mapped("priority"), ["3", "3", "2", "1", "1", "0", "0"])

    def test_search_default_order_as_agent(self):
        ours = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_hd_agent)
            .search([("team_id", "=", self.team.id)])
        )
        self.assertEqual(len(ours), 7)
        self._assert_priority_ordered(ours)

    def test_web_read_group_records_priority_ordered(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_hd_agent)
        result = Ticket.web_read_group(
            [("id", "in", self.tickets.ids)],
            ["stage_id"],
            auto_unfold=True,
            unfold_read_specification={"priority": {}, "name": {}},
        )
        groups = {group["stage_id"][0]: group for group in result["groups"]}
        self.assertEqual(set(groups), {self.stage_new.id, self.stage_in_progress.id})
        for stage in (self.stage_new, self.stage_in_progress):
            records = groups[stage.id]["__records"]
            self.assertEqual(len(records), groups[stage.id]["__count"])
            self._assert_priority_ordered(
                Ticket.browse([record["id"] for record in records])
            )
        new_priorities = [
            record["priority"] for record in groups[self.stage_new.id]["__records"]
        ]
        self.assertEqual(new_priorities, ["3", "2", "1", "0"])

    def test_formatted_read_group_then_search(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_hd_agent)
        domain = [("id", "in", self.tickets.ids)]
        groups = Ticket.formatted_read_group(domain, ["stage_id"], ["__count"])
        self.assertEqual(len(groups), 2)
        for group in groups:
            records = Ticket.search(domain + group["__extra_domain"])
            self.assertEqual(len(records), group["__count"])
            self._assert_priority_ordered(records)
