from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskWebsiteCommon

DEFINITION = [
    {"name": "order_ref", "string": "Order Reference", "type": "char"},
    {"name": "quantity", "string": "Quantity", "type": "integer"},
    {"name": "weight", "string": "Weight", "type": "float"},
    {"name": "urgent", "string": "Urgent", "type": "boolean"},
    {
        "name": "device",
        "string": "Device",
        "type": "selection",
        "selection": [["phone", "Phone"], ["laptop", "Laptop"]],
    },
    {
        "name": "topics",
        "string": "Topics",
        "type": "tags",
        "tags": [["billing", "Billing", 1], ["delivery", "Delivery", 2]],
    },
    {"name": "bought_on", "string": "Bought On", "type": "date"},
    {
        "name": "account_manager",
        "string": "Account Manager",
        "type": "many2one",
        "comodel": "res.users",
    },
]


@tagged("post_install", "-at_install")
class TestFormProperties(HelpdeskWebsiteCommon):
    """The team's ticket properties in its website form, posted over HTTP by
    an anonymous visitor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.ticket_properties_definition = DEFINITION
        cls.team_other = cls.env["helpdesk.team"].create(
            {
                "name": "Other Support",
                "ticket_properties_definition": [
                    {"name": "contract", "string": "Contract", "type": "char"}
                ],
            }
        )

    def property_values(self, ticket):
        (shown,) = ticket.read(["properties"])
        return {prop["name"]: prop.get("value") for prop in shown["properties"]}

    def test_editor_offers_the_team_properties(self):
        IrModel = self.env["ir.model"].with_user(self.designer)
        offered = IrModel.get_authorized_fields(
            "helpdesk.ticket", {"team_id": str(self.team.id)}
        )
        self.assertLessEqual(
            {"order_ref", "quantity", "device", "topics", "bought_on"}, set(offered)
        )
        self.assertEqual(offered["device"]["_property"], {"field": "properties"})
        self.assertNotIn("account_manager", offered, "relational: ids from visitors")
        self.assertNotIn("contract", offered, "another team's property")
        self.assertNotIn("user_id", offered)
        # without a team, no property
        offered = IrModel.get_authorized_fields("helpdesk.ticket", {})
        self.assertFalse({prop["name"] for prop in DEFINITION} & set(offered))

    def test_valid_properties(self):
        result = self.post_form(
            order_ref="  SO-1042 ",
            quantity="3",
            weight="1.5",
            urgent="on",
            device="laptop",
            topics="billing,delivery",
            bought_on="2026-11-20",
        )
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        values = self.property_values(ticket)
        self.assertEqual(values["order_ref"], "SO-1042")
        self.assertEqual(values["quantity"], 3)
        self.assertEqual(values["weight"], 1.5)
        self.assertIs(values["urgent"], True)
        self.assertEqual(values["device"], "laptop")
        self.assertEqual(values["topics"], ["billing", "delivery"])
        self.assertEqual(values["bought_on"], "2026-11-20")
        self.assertFalse(values["account_manager"])

    def test_unknown_and_foreign_keys_write_no_property(self):
        result = self.post_form(
            order_ref="SO-7",
            contract="C-42",
            deadbeef="free text",
            account_manager=str(self.user_hd_manager.id),
        )
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        self.assertEqual(
            {name for name, value in self.property_values(ticket).items() if value},
            {"order_ref"},
        )
        self.assertNotIn("contract", ticket.properties._values)
        self.assertNotIn("deadbeef", ticket.properties._values)
        # the team's definition is untouched
        self.assertEqual(
            [prop["name"] for prop in self.team.ticket_properties_definition],
            [prop["name"] for prop in DEFINITION],
        )
        self.assertFalse(self.team_other.ticket_ids)

    @mute_logger("odoo.http")
    def test_wrong_types_are_refused(self):
        cases = {
            "quantity": "three",
            "weight": "nan",
            "device": "toaster",
            "topics": "billing,rogue",
            "bought_on": "2026-02-30",
            "order_ref": "x" * 300,
        }
        for name, value in cases.items():
            with self.subTest(name=name):
                result = self.post_form(**{name: value})
                self.assertFalse(result.get("id"), result)
                self.assertIn(name, result["error_fields"])
                self.assertFalse(self.tickets())

    def test_private_team_takes_form_tickets(self):
        self.team.privacy_visibility = "invited_internal"
        result = self.post_form(order_ref="SO-9")
        ticket = self.tickets()
        self.assertEqual(result, {"id": ticket.id})
        self.assertEqual(ticket.intake_channel, "website")
        self.assertTrue(ticket.with_user(self.agent).has_access("read"), "member")
        self.assertFalse(ticket.with_user(self.user_hd_agent2).has_access("read"))
