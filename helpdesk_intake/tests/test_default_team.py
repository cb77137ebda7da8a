from odoo.tests import tagged
from odoo.tools import convert_file

from .common import HelpdeskIntakeCommon

TEAM_DATA = "data/helpdesk_team_data.xml"


@tagged("post_install", "-at_install", "helpdesk_intake")
class TestDefaultTeam(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_3 = cls.env["res.company"].create({"name": "Third Company"})

    def teams_of(self, company):
        return (
            self.env["helpdesk.team"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )

    def load_team_data(self, mode):
        convert_file(
            self.env, "helpdesk_intake", TEAM_DATA, {}, mode=mode, noupdate=False
        )

    def test_new_company_gets_its_team(self):
        team = self.teams_of(self.company_3)
        self.assertEqual(len(team), 1)
        self.assertEqual(team.name, "Customer Care")
        self.assertTrue(team.use_alias)
        self.assertTrue(team.alias_name.startswith("customer-care"))
        self.assertEqual(team.alias_id.alias_model_id.model, "helpdesk.ticket")
        self.assertEqual(team.stage_ids, team._default_stage_ids())
        self.assertEqual(team.privacy_visibility, "portal")
        self.assertEqual(team.resource_calendar_id, self.company_3.resource_calendar_id)
        # a second company gets its own address
        company_4 = self.env["res.company"].create({"name": "Fourth Company"})
        other = self.teams_of(company_4)
        self.assertEqual(len(other), 1)
        self.assertNotEqual(other.alias_name, team.alias_name)

    def test_new_company_team_has_no_foreign_member(self):
        # nobody works for a company that was just created yet
        self.assertFalse(self.teams_of(self.company_3).member_ids)

    def test_mail_to_the_default_alias_makes_a_ticket(self):
        team = self.teams_of(self.company_3)
        with self.mock_mail_gateway():
            ticket = self.deliver(
                to=team.alias_id.alias_full_name, subject="Where is my parcel?"
            )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, team)
        self.assertEqual(ticket.company_id, self.company_3)
        self.assertEqual(ticket.stage_id, team.stage_ids[:1])
        self.assertEqual(len(self.ack_mails(ticket)), 1)

    def test_module_update_creates_no_team(self):
        before = self.env["helpdesk.team"].with_context(active_test=False).search([])
        self.load_team_data("update")
        self.env["res.company"].search([])._helpdesk_create_default_team()
        after = self.env["helpdesk.team"].with_context(active_test=False).search([])
        self.assertEqual(after, before)

    def test_install_gives_a_team_to_companies_without_one(self):
        self.teams_of(self.company_3).unlink()
        (self.user_hd_manager | self.user_hd_agent).company_ids |= self.company_3
        archived = self.teams_of(self.company_2)
        archived.action_archive()
        self.load_team_data("init")
        team = self.teams_of(self.company_3)
        self.assertEqual(team.name, "Customer Care")
        # the helpdesk administrators of the company are its members
        self.assertIn(self.user_hd_manager, team.member_ids)
        self.assertNotIn(self.user_hd_agent, team.member_ids)
        self.assertEqual(self.teams_of(self.company_2), archived, "no second team")
