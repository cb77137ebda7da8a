from ast import literal_eval

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestTeamAlias(HelpdeskIntakeCommon):
    def test_alias_created_with_team(self):
        alias = self.team.alias_id
        self.assertTrue(alias)
        self.assertEqual(alias.alias_name, "intake-support")
        self.assertEqual(alias.alias_model_id.model, "helpdesk.ticket")
        self.assertEqual(alias.alias_parent_model_id.model, "helpdesk.team")
        self.assertEqual(alias.alias_parent_thread_id, self.team.id)
        self.assertEqual(literal_eval(alias.alias_defaults), {"team_id": self.team.id})
        self.assertEqual(alias.alias_domain_id, self.mail_alias_domain)

    def test_alias_email_full_address(self):
        self.assertEqual(self.team.alias_email, f"intake-support@{self.alias_domain}")
        self.assertEqual(self.team_b.alias_email, f"intake-billing@{self.alias_domain}")
        self.assertEqual(self.team.alias_email, self.alias_a)
        self.assertTrue(self.team.has_alias_domain)
        # the address is searchable, as in the list of teams
        Team = self.env["helpdesk.team"]
        self.assertEqual(Team.search([("alias_email", "=", self.alias_a)]), self.team)

    def test_alias_name_unique_for_same_team_name(self):
        Team = self.env["helpdesk.team"].with_user(self.user_hd_manager)
        first = Team.create({"name": "Field Service"})
        second = Team.create({"name": "Field Service"})
        self.assertEqual(first.alias_name, "field-service")
        self.assertTrue(second.alias_name)
        self.assertNotEqual(first.alias_name, second.alias_name)
        self.assertTrue(second.alias_name.startswith("field-service"))
        self.assertNotEqual(first.alias_email, second.alias_email)
        # same names within one batch create
        batch = Team.create([{"name": "Field Service"}, {"name": "Field Service"}])
        names = (first | second | batch).mapped("alias_name")
        self.assertEqual(len(set(names)), 4, names)

    def test_alias_name_given_is_kept(self):
        team = (
            self.env["helpdesk.team"]
            .with_user(self.user_hd_manager)
            .create({"name": "Returns", "alias_name": "rma"})
        )
        self.assertEqual(team.alias_name, "rma")
        self.assertEqual(team.alias_email, f"rma@{self.alias_domain}")

    def test_alias_contact_settable(self):
        team = self.team.with_user(self.user_hd_manager)
        team.alias_contact = "partners"
        self.assertEqual(self.team.alias_id.alias_contact, "partners")
        with (
            self.mock_mail_gateway(),
            mute_logger("odoo.addons.mail.models.mail_thread"),
        ):
            unknown = self.deliver(
                email_from='"Stranger" <stranger@unknown.test>', subject="Let me in"
            )
        self.assertFalse(unknown, "alias restricted to known partners")
        self.assertEqual(
            len(self.sent_to("stranger@unknown.test")), 1, "the stranger gets a bounce"
        )
        known = self.deliver(subject="Known customer writes")
        self.assertEqual(len(known), 1)
        self.assertEqual(known.partner_id, self.customer)

    def test_use_alias_toggle(self):
        team = self.team.with_user(self.user_hd_manager)
        address = team.alias_email
        team.use_alias = False
        with (
            self.mock_mail_gateway(),
            mute_logger("odoo.addons.mail.models.mail_thread"),
        ):
            tickets = self.deliver(subject="Anybody there?")
        self.assertFalse(tickets, "alias off: no ticket")
        bounces = self.sent_to("chuck@customer.test")
        self.assertEqual(
            len(bounces), 1, "the sender is told the email was not accepted"
        )
        self.assertEqual(bounces[0]["subject"], "Re: Anybody there?")
        self.assertNotEqual(
            team.alias_id.alias_status, "invalid", "not a configuration error"
        )

        team.use_alias = True
        self.assertEqual(team.alias_email, address, "same address once turned back on")
        tickets = self.deliver(subject="Anybody there now?")
        self.assertEqual(len(tickets), 1)
        self.assertEqual(tickets.team_id, self.team)
