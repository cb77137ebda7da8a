"""One team fed by every channel: email, website form and live chat.

Each ticket goes through the real entry point of its channel (the mail
gateway, the website form controller, the live chat command route) and gets
the same treatment from the core: team, SLA deadline, acknowledgement and the
dashboard's per-channel counts."""

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.helpdesk_intake_livechat.tests.common import CALL_KW

EMAIL = """Return-Path: <eve@customer.example.com>
From: Eve Emailer <eve@customer.example.com>
To: {to}
Subject: Invoice shows the wrong VAT number
Message-ID: <cross-channel-1@customer.example.com>
Date: Tue, 10 Mar 2026 09:12:41 +0100
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello, the VAT number on my last invoice is wrong.
"""


@tagged("post_install", "-at_install")
class TestCrossChannel(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        domain = cls.env["mail.alias.domain"].search([], limit=1) or cls.env[
            "mail.alias.domain"
        ].create({"name": "cross.example.com"})
        cls.operator = new_test_user(
            cls.env,
            login="cross_operator",
            name="Olga Operator",
            email="olga.operator@example.com",
            groups="helpdesk_intake.group_helpdesk_user,im_livechat.im_livechat_group_user",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="cross_portal",
            name="Pia Portal",
            email="pia.portal@customer.example.com",
            groups="base.group_portal",
        )
        cls.team = cls.env["helpdesk.team"].create(
            {
                "name": "Every Channel",
                "alias_name": "every-channel",
                "alias_domain_id": domain.id,
                "member_ids": [(6, 0, cls.operator.ids)],
                "website_id": cls.env.ref("website.default_website").id,
                "use_website_form": True,
                "use_livechat": True,
            }
        )
        cls.team.livechat_channel_id.user_ids = cls.operator
        cls.env["mail.presence"]._update_presence(cls.operator)
        cls.sla = cls.env["helpdesk.sla"].create(
            {
                "name": "Answer within 8 hours",
                "team_id": cls.team.id,
                "priority": "0",
                "time_hours": 8,
                "stage_id": cls.env.ref("helpdesk_intake.stage_in_progress").id,
            }
        )

    def _email_ticket(self):
        self.env["mail.thread"].message_process(
            None, EMAIL.format(to=self.team.alias_email)
        )

    def _website_ticket(self):
        self.authenticate(None, None)
        response = self.url_open(
            "/website/form/helpdesk.ticket",
            data={
                "partner_name": "Wendy Web",
                "partner_email": "wendy@customer.example.com",
                "name": "The shop rejects my coupon",
                "description": "Coupon SPRING is refused.",
                "team_id": str(self.team.id),
            },
        )
        self.assertTrue(response.json().get("id"), response.text)

    def _livechat_ticket(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        session = self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {"channel_id": self.team.livechat_channel_id.id},
        )
        channel = self.env["discuss.channel"].browse(session["channel_id"])
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": channel.id,
                "post_data": {"body": "My parcel is late", "message_type": "comment"},
            },
        )
        self.authenticate(self.operator.login, self.operator.login)
        self.make_jsonrpc_request(
            CALL_KW + "execute_command_ticket",
            {
                "model": "discuss.channel",
                "method": "execute_command_ticket",
                "args": [channel.ids],
                "kwargs": {"body": "/ticket Parcel is late"},
            },
        )

    def test_every_channel_feeds_the_same_team(self):
        self._email_ticket()
        self._website_ticket()
        self._livechat_ticket()

        tickets = self.env["helpdesk.ticket"].search([("team_id", "=", self.team.id)])
        self.assertTrue(all(tickets.mapped("ack_pending")))
        # what the scheduled action, triggered by the ticket creations, does
        self.env["helpdesk.ticket"]._cron_send_acknowledgements()
        self.assertFalse(any(tickets.mapped("ack_pending")))
        by_channel = {ticket.intake_channel: ticket for ticket in tickets}
        self.assertEqual(set(by_channel), {"email", "website", "livechat"})
        self.assertEqual(
            {
                channel: ticket.partner_id.email
                for channel, ticket in by_channel.items()
            },
            {
                "email": "eve@customer.example.com",
                "website": "wendy@customer.example.com",
                "livechat": "pia.portal@customer.example.com",
            },
        )
        for ticket in tickets:
            self.assertEqual(ticket.priority, "0")
            self.assertEqual(
                ticket.sla_status_ids.sla_id, self.sla, ticket.intake_channel
            )
            self.assertTrue(ticket.sla_deadline, ticket.intake_channel)
            self.assertEqual(ticket.stage_id, self.team.stage_ids[:1])
            acknowledgements = ticket.message_ids.filtered(
                lambda message: message.message_type == "auto_comment"
            )
            self.assertEqual(
                acknowledgements.partner_ids, ticket.partner_id, ticket.intake_channel
            )

        self.team.invalidate_recordset()
        self.assertEqual(self.team.email_today_count, 1)
        self.assertEqual(self.team.website_today_count, 1)
        self.assertEqual(self.team.livechat_today_count, 1)
        self.assertEqual(self.team.open_ticket_count, 3)
