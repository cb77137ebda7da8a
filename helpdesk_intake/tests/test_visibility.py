import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import HelpdeskIntakeCommon


@tagged("post_install", "-at_install", "helpdesk_intake", "security")
class TestTeamVisibility(HttpCase, HelpdeskIntakeCommon):
    """One team per visibility, each with a ticket of Jane (portal customer)
    followed by Otto (portal user), and the users of every group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Team = cls.env["helpdesk.team"].with_context(mail_create_nosubscribe=True)
        members = [(6, 0, cls.user_hd_agent.ids)]
        cls.team_private = Team.create(
            {
                "name": "Visibility Private",
                "privacy_visibility": "invited_internal",
                "member_ids": members,
            }
        )
        cls.team_internal = Team.create(
            {"name": "Visibility Internal", "member_ids": members}
        )
        cls.team_portal = Team.create(
            {
                "name": "Visibility Portal",
                "privacy_visibility": "portal",
                "member_ids": members,
            }
        )
        Ticket = cls.env["helpdesk.ticket"].with_context(mail_notrack=True)
        cls.tickets = {}
        for team in (cls.team_private, cls.team_internal, cls.team_portal):
            ticket = Ticket.create(
                {
                    "name": f"Ticket of Jane in {team.name}",
                    "team_id": team.id,
                    "partner_id": cls.partner_portal.id,
                }
            )
            ticket.message_subscribe(
                (cls.partner_portal | cls.partner_portal_other).ids
            )
            cls.tickets[team.privacy_visibility] = ticket
        cls.ticket_private = cls.tickets["invited_internal"]
        # a second private ticket, followed by the third agent only
        cls.ticket_private_followed = Ticket.create(
            {"name": "Followed private ticket", "team_id": cls.team_private.id}
        )
        cls.ticket_private_followed.message_subscribe(cls.user_hd_agent3.partner_id.ids)
        cls.attachment = cls.env["ir.attachment"].create(
            {
                "name": "invoice.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 private invoice"),
                "res_model": "helpdesk.ticket",
                "res_id": cls.ticket_private.id,
            }
        )

    def visible(self, user, team=None):
        domain = [("team_id", "in", (team or self.team_private).ids)]
        return self.env["helpdesk.ticket"].with_user(user).search(domain)

    # ------------------------------------------------------------
    # INVITED INTERNAL USERS
    # ------------------------------------------------------------

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_private_team_members_followers_and_assignee(self):
        private = self.ticket_private | self.ticket_private_followed
        self.assertEqual(self.visible(self.user_hd_agent), private, "member")
        self.assertEqual(self.visible(self.user_hd_manager), private, "administrator")
        self.assertEqual(
            self.visible(self.user_hd_agent3),
            self.ticket_private_followed,
            "follower of one ticket",
        )
        self.assertFalse(self.visible(self.user_hd_agent2), "not invited")
        with self.assertRaises(AccessError):
            self.ticket_private.with_user(self.user_hd_agent2).read(["name"])
        with self.assertRaises(AccessError):
            self.ticket_private.with_user(self.user_hd_agent2).write({"priority": "3"})

        self.ticket_private.user_id = self.user_hd_agent2
        self.assertEqual(self.visible(self.user_hd_agent2), self.ticket_private)
        # following the team shows all its tickets
        self.team_private.message_subscribe(self.user_hd_agent3.partner_id.ids)
        self.assertEqual(self.visible(self.user_hd_agent3), private)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_private_team_creating_a_ticket(self):
        Ticket = self.env["helpdesk.ticket"]
        ticket = Ticket.with_user(self.user_hd_agent).create(
            {"name": "Created by a member", "team_id": self.team_private.id}
        )
        self.assertEqual(ticket.team_id, self.team_private)
        with self.assertRaises(AccessError):
            Ticket.with_user(self.user_hd_agent2).create(
                {"name": "Created by an outsider", "team_id": self.team_private.id}
            )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_private_team_sla_statuses(self):
        self.env["helpdesk.sla"].create(
            {
                "name": "Answer in a day",
                "team_id": self.team_private.id,
                "stage_id": self.stage_solved.id,
                "time_days": 1,
            }
        )
        self.ticket_private._sla_apply()
        status = self.ticket_private.sla_status_ids
        self.assertEqual(len(status), 1)
        Status = self.env["helpdesk.sla.status"]
        domain = [("id", "=", status.id)]
        self.assertEqual(Status.with_user(self.user_hd_agent).search(domain), status)
        self.assertEqual(Status.with_user(self.user_hd_manager).search(domain), status)
        self.assertFalse(Status.with_user(self.user_hd_agent2).search(domain))
        with self.assertRaises(AccessError):
            status.with_user(self.user_hd_agent2).read(["deadline"])
        # team counters follow the user's access
        for user, count in ((self.user_hd_agent2, 0), (self.user_hd_agent, 2)):
            self.env.invalidate_all()
            team = self.team_private.with_user(user)
            self.assertEqual(team.open_ticket_count, count, user.login)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_team_counters_count_what_the_user_reads(self):
        """Every counter of the team overview counts the tickets and SLA
        statuses that the user may read, no more: invited-only teams what the
        user follows or is assigned, the other teams everything."""
        now = fields.Datetime.now()
        teams = self.team_private | self.team_internal | self.team_portal
        for team in teams:
            self.env["helpdesk.sla"].create(
                {
                    "name": f"Answer in a day ({team.name})",
                    "team_id": team.id,
                    "stage_id": self.stage_solved.id,
                    "time_days": 1,
                }
            )
        # in the private team: a closed ticket assigned to the outsider, and
        # a ticket by email followed by the third agent; all late
        closed = self.env["helpdesk.ticket"].create(
            {
                "name": "Closed private ticket",
                "team_id": self.team_private.id,
                "user_id": self.user_hd_agent2.id,
            }
        )
        self.ticket_private_followed.intake_channel = "email"
        tickets = self.env["helpdesk.ticket"].search([("team_id", "in", teams.ids)])
        tickets.user_id = False
        closed.user_id = self.user_hd_agent2
        tickets._sla_apply()
        tickets.sla_status_ids.deadline = now - timedelta(hours=1)
        closed.stage_id = self.stage_solved
        self.assertEqual(closed.sla_status_ids.status, "failed")

        Ticket, Status = self.env["helpdesk.ticket"], self.env["helpdesk.sla.status"]
        users = (
            self.user_hd_manager
            | self.user_hd_agent
            | self.user_hd_agent2
            | self.user_hd_agent3
        )
        seen = {}
        for user in users:
            for team in teams:
                self.env.invalidate_all()
                in_team = [("team_id", "=", team.id)]
                readable = Ticket.with_user(user).search(in_team)
                readable_open = readable.filtered(lambda t: not t.is_closed)
                expected = (
                    len(readable_open),
                    len(readable_open.filtered(lambda t: not t.user_id)),
                    Status.with_user(user).search_count(
                        in_team
                        + Status._failed_domain(now)
                        + [("ticket_id.is_closed", "=", False)]
                    ),
                    len(readable - readable_open),
                    len(readable.filtered(lambda t: t.intake_channel == "email")),
                )
                counted = team.with_user(user)
                counters = (
                    counted.open_ticket_count,
                    counted.unassigned_ticket_count,
                    counted.sla_failed_count,
                    counted.closed_recent_count,
                    counted.email_today_count,
                )
                self.assertEqual(counters, expected, f"{user.login}, {team.name}")
                seen[user, team.privacy_visibility] = (
                    counters,
                    counted.sla_success_rate_display,
                )
        # open, unassigned, failed open, closed, by email today; on time
        everything = ((2, 2, 2, 1, 1), "0%")
        self.assertEqual(seen[self.user_hd_manager, "invited_internal"], everything)
        self.assertEqual(seen[self.user_hd_agent, "invited_internal"], everything)
        self.assertEqual(
            seen[self.user_hd_agent3, "invited_internal"], ((1, 1, 1, 0, 1), "0%")
        )
        self.assertEqual(
            seen[self.user_hd_agent2, "invited_internal"], ((0, 0, 0, 1, 0), "0%")
        )
        for user in users:
            self.assertEqual(seen[user, "internal"], ((1, 1, 1, 0, 0), "0%"))
            self.assertEqual(seen[user, "portal"], ((1, 1, 1, 0, 0), "0%"))
        # without the status of its closed ticket, the outsider has no rate
        closed.sla_status_ids.unlink()
        self.env.invalidate_all()
        team = self.team_private.with_user(self.user_hd_agent2)
        self.assertEqual(team.sla_success_rate_display, "\u2013")

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models", "odoo.http")
    def test_private_team_attachment(self):
        attachment = self.attachment
        self.assertEqual(
            attachment.with_user(self.user_hd_agent).raw, b"%PDF-1.4 private invoice"
        )
        with self.assertRaises(AccessError):
            attachment.with_user(self.user_hd_agent2).read(["datas"])
        url = f"/web/content/{attachment.id}?download=true"
        self.authenticate(self.user_hd_agent2.login, self.user_hd_agent2.login)
        response = self.url_open(url)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"private invoice", response.content)
        # through the JSON-RPC of the web client
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/ir.attachment/search_read",
            {
                "model": "ir.attachment",
                "method": "search_read",
                "args": [[("res_model", "=", "helpdesk.ticket")], ["name"]],
                "kwargs": {},
            },
        )
        self.assertNotIn(attachment.id, [record["id"] for record in result])
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/helpdesk.ticket/search_read",
            {
                "model": "helpdesk.ticket",
                "method": "search_read",
                "args": [[("team_id", "=", self.team_private.id)], ["name"]],
                "kwargs": {},
            },
        )
        self.assertEqual(result, [])

        self.authenticate(self.user_hd_agent.login, self.user_hd_agent.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"%PDF-1.4 private invoice")

    # ------------------------------------------------------------
    # ALL INTERNAL USERS
    # ------------------------------------------------------------

    def test_internal_team_all_helpdesk_users(self):
        ticket = self.tickets["internal"]
        for user in (self.user_hd_agent, self.user_hd_agent2, self.user_hd_manager):
            with self.subTest(user=user.login):
                self.assertEqual(self.visible(user, self.team_internal), ticket)

    def test_portal_users_per_visibility(self):
        expected = {
            "invited_internal": False,
            "internal": False,
            "portal": True,
        }
        for user in (self.user_portal, self.user_portal_other):
            for visibility, ticket in self.tickets.items():
                with self.subTest(user=user.login, visibility=visibility):
                    self.assertEqual(
                        bool(self.visible(user, ticket.team_id)), expected[visibility]
                    )
                    self.assertEqual(
                        ticket.with_user(user).has_access("read"), expected[visibility]
                    )

    # ------------------------------------------------------------
    # INVITED PORTAL USERS AND ALL INTERNAL USERS
    # ------------------------------------------------------------

    def test_turning_team_private_removes_portal_access(self):
        ticket = self.tickets["portal"]
        self.assertTrue(ticket.with_user(self.user_portal_other).has_access("read"))
        self.team_portal.privacy_visibility = "internal"
        self.assertFalse(ticket.with_user(self.user_portal).has_access("read"))
        self.assertFalse(ticket.with_user(self.user_portal_other).has_access("read"))
        self.assertEqual(
            self.visible(self.user_hd_agent2, self.team_portal), ticket, "internal"
        )
        self.team_portal.privacy_visibility = "portal"
        self.assertTrue(ticket.with_user(self.user_portal_other).has_access("read"))

    def test_my_tickets_per_visibility(self):
        self.authenticate(self.user_portal.login, self.user_portal.login)
        page = self.url_open("/my/tickets").text
        self.assertIn(self.tickets["portal"].name, page)
        self.assertNotIn(self.tickets["internal"].name, page)
        self.assertNotIn(self.ticket_private.name, page)
        for visibility, ticket in self.tickets.items():
            with self.subTest(visibility=visibility):
                response = self.url_open(f"/my/tickets/{ticket.id}")
                self.assertEqual(ticket.name in response.text, visibility == "portal")

    def test_access_token_per_visibility(self):
        # the link of an email sent while the team was open to portal users
        for visibility, ticket in self.tickets.items():
            url = ticket.get_portal_url()
            for login in (None, self.user_portal_other.login):
                with self.subTest(visibility=visibility, login=login):
                    self.authenticate(login, login)
                    response = self.url_open(url)
                    self.assertEqual(
                        ticket.name in response.text, visibility == "portal"
                    )

    def test_notification_link_per_visibility(self):
        for visibility, ticket in self.tickets.items():
            with self.subTest(visibility=visibility), self.mock_mail_gateway():
                ticket.with_user(self.user_hd_agent).message_post(
                    body="We are looking into it.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                (mail,) = self.sent_to(self.partner_portal.email)
                self.assertEqual(
                    f"/my/tickets/{ticket.id}" in mail["body"]
                    or "/mail/view" in mail["body"],
                    visibility == "portal",
                )

    def test_link_proves_the_address_in_an_internal_team(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Typed by an anonymous visitor",
                "team_id": self.team_internal.id,
                "partner_id": self.customer.id,
                "customer_unverified": True,
            }
        )
        self.assertNotIn(self.customer, ticket.message_partner_ids)
        self.authenticate(None, None)
        response = self.url_open(ticket.get_portal_url())
        self.assertNotIn(ticket.name, response.text)
        self.assertFalse(ticket.customer_unverified)
        self.assertIn(self.customer, ticket.message_partner_ids)
