from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "security")
class TestAccessRights(HelpdeskIntakeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Ticket = cls.env["helpdesk.ticket"].with_context(mail_notrack=True)
        cls.ticket_jane = Ticket.create(
            {
                "name": "Jane's ticket",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal.id,
            }
        )
        cls.ticket_followed = Ticket.create(
            {
                "name": "Followed by Jane",
                "team_id": cls.team.id,
                "partner_id": cls.customer.id,
            }
        )
        cls.ticket_followed.message_subscribe(cls.partner_portal.ids)
        cls.ticket_other = Ticket.create(
            {
                "name": "Otto's ticket",
                "team_id": cls.team.id,
                "partner_id": cls.partner_portal_other.id,
            }
        )
        cls.ticket_c2 = Ticket.create(
            {
                "name": "Company 2 ticket",
                "team_id": cls.team_c2.id,
                "partner_id": cls.customer.id,
            }
        )

    def test_helpdesk_user_tickets(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_hd_agent)
        tickets = Ticket.search([("team_id", "=", self.team.id)])
        self.assertEqual(
            tickets, self.ticket_jane | self.ticket_followed | self.ticket_other
        )
        ticket = self.ticket_other.with_user(self.user_hd_agent)
        ticket.write({"priority": "2", "user_id": self.user_hd_agent.id})
        self.assertEqual(ticket.priority, "2")
        ticket.stage_id = self.stage_in_progress
        new = Ticket.create({"name": "Created by agent", "team_id": self.team.id})
        self.assertEqual(new.create_uid, self.user_hd_agent)
        self.assertEqual(new.intake_channel, "api")
        with self.assertRaises(AccessError):
            ticket.unlink()

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_helpdesk_user_cannot_configure_teams(self):
        team = self.team.with_user(self.user_hd_agent)
        self.assertEqual(team.name, "Intake Support", "teams are readable")
        with self.assertRaises(AccessError):
            team.write({"assign_method": "balanced"})
        with self.assertRaises(AccessError):
            team.write({"use_alias": False})
        with self.assertRaises(AccessError):
            self.env["helpdesk.team"].with_user(self.user_hd_agent).create(
                {"name": "Rogue"}
            )
        with self.assertRaises(AccessError):
            self.stage_new.with_user(self.user_hd_agent).write({"fold": True})

    def test_helpdesk_manager_configures_teams(self):
        team = self.team.with_user(self.user_hd_manager)
        team.write({"assign_method": "balanced", "alias_contact": "partners"})
        self.assertEqual(self.team.assign_method, "balanced")
        self.assertEqual(self.team.alias_id.alias_contact, "partners")
        new = (
            self.env["helpdesk.team"]
            .with_user(self.user_hd_manager)
            .create({"name": "Onsite"})
        )
        self.assertTrue(new.alias_id)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_portal_user_own_and_followed_tickets(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_portal)
        self.assertEqual(Ticket.search([]), self.ticket_jane | self.ticket_followed)
        visible = Ticket.browse((self.ticket_jane | self.ticket_followed).ids)
        self.assertEqual(
            sorted(visible.mapped("name")), ["Followed by Jane", "Jane's ticket"]
        )
        with self.assertRaises(AccessError):
            Ticket.browse(self.ticket_other.id).read(["name"])
        with self.assertRaises(AccessError):
            Ticket.browse(self.ticket_jane.id).write({"priority": "3"})
        with self.assertRaises(AccessError):
            Ticket.create({"name": "Portal create", "team_id": self.team.id})
        # the other portal user sees only his own
        other = self.env["helpdesk.ticket"].with_user(self.user_portal_other).search([])
        self.assertEqual(other, self.ticket_other)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_multi_company(self):
        Ticket_c2 = self.env["helpdesk.ticket"].with_user(self.user_hd_agent_c2)
        self.assertEqual(Ticket_c2.search([]), self.ticket_c2)
        with self.assertRaises(AccessError):
            Ticket_c2.browse(self.ticket_jane.id).read(["name"])
        self.assertFalse(
            self.env["helpdesk.team"]
            .with_user(self.user_hd_agent_c2)
            .search([("id", "=", self.team.id)])
        )
        # and the other way round
        Ticket_c1 = self.env["helpdesk.ticket"].with_user(self.user_hd_agent)
        self.assertNotIn(self.ticket_c2, Ticket_c1.search([]))
        with self.assertRaises(AccessError):
            Ticket_c1.browse(self.ticket_c2.id).read(["name"])

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.models")
    def test_install_channel_addon_requires_admin(self):
        for user in (self.user_hd_agent, self.user_hd_manager):
            for channel in ("use_livechat", "use_website_form"):
                with (
                    self.subTest(user=user.login, channel=channel),
                    self.assertRaises(AccessError),
                ):
                    self.team.with_user(user).with_context(
                        channel_field=channel
                    ).action_install_channel_addon()
