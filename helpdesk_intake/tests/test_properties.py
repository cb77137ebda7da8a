from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon

DEFINITION = [
    {"name": "model_ref", "string": "Printer Model", "type": "char"},
    {
        "name": "severity",
        "string": "Severity",
        "type": "selection",
        "selection": [["minor", "Minor"], ["blocking", "Blocking"]],
        "default": "minor",
    },
]


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestTicketProperties(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.ticket_properties_definition = DEFINITION
        cls.team_b.ticket_properties_definition = [
            {"name": "contract", "string": "Contract", "type": "char"}
        ]

    def test_properties_follow_the_team(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_hd_agent)
            .create(
                {
                    "name": "Printer jams",
                    "team_id": self.team.id,
                    "properties": {"model_ref": "LX-300"},
                }
            )
        )
        self.assertEqual(
            ticket.properties, {"model_ref": "LX-300", "severity": "minor"}
        )
        ticket.properties = {"model_ref": "LX-300", "severity": "blocking"}
        (shown,) = ticket.read(["properties"])
        self.assertEqual(
            {prop["name"]: prop["value"] for prop in shown["properties"]},
            {"model_ref": "LX-300", "severity": "blocking"},
        )
        # another team, other properties
        ticket.team_id = self.team_b
        (shown,) = ticket.read(["properties"])
        self.assertEqual([prop["name"] for prop in shown["properties"]], ["contract"])
        ticket.properties = {"contract": "C-42"}
        self.assertEqual(dict(ticket.properties), {"contract": "C-42"})

    def test_search_by_property(self):
        tickets = self.make_tickets(
            [
                {"name": "Blocking one", "properties": {"severity": "blocking"}},
                {"name": "Minor one", "properties": {"severity": "minor"}},
            ]
        )
        found = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_hd_agent)
            .search([("properties.severity", "=", "blocking")])
        )
        self.assertEqual(found, tickets[0])

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_only_administrators_define_properties(self):
        ticket = self.make_tickets([{"name": "Definition change"}])

        def new_definition():
            # the ORM takes the flag out of the values it is given
            return [
                *DEFINITION,
                {
                    "name": "rogue",
                    "string": "Rogue",
                    "type": "char",
                    "definition_changed": True,
                    "value": "x",
                },
            ]

        with self.assertRaises(AccessError):
            ticket.with_user(self.user_hd_agent).properties = new_definition()
        ticket.with_user(self.user_hd_manager).properties = new_definition()
        self.assertIn(
            "rogue",
            [prop["name"] for prop in self.team.ticket_properties_definition],
        )

    def test_views_show_the_properties(self):
        Ticket = self.env["helpdesk.ticket"]
        for view_type in ("form", "kanban", "search"):
            with self.subTest(view_type=view_type):
                arch = Ticket.get_view(view_type=view_type)["arch"]
                self.assertIn('name="properties"', arch)
