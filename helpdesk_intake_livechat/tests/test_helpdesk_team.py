from odoo.tests import Form, new_test_user, tagged

from odoo.addons.helpdesk_intake_livechat.hooks import post_init_hook

from .common import HelpdeskLivechatCommon


@tagged("post_install", "-at_install")
class TestHelpdeskTeamLivechat(HelpdeskLivechatCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Who ticks Live Chat: a manager of both apps, and one of the
        # helpdesk only (the core's).
        cls.manager = new_test_user(
            cls.env,
            login="hdlc_team_manager",
            groups="helpdesk_intake.group_helpdesk_manager,im_livechat.im_livechat_group_manager",
        )
        cls.helpdesk_only_manager = cls.user_hd_manager
        cls.agent = cls.operator
        cls.Team = cls.env["helpdesk.team"].with_user(cls.manager)

    def test_toggle_creates_and_links_channel(self):
        with Form(self.Team) as form:
            form.name = "Printers"
            form.use_livechat = True
        team = form.record
        channel = team.livechat_channel_id
        self.assertTrue(channel)
        self.assertEqual(channel.name, "Printers")
        self.assertEqual(
            channel.user_ids, self.manager, "the user who ticked is the operator"
        )

        team.use_livechat = False
        self.assertEqual(
            team.livechat_channel_id, channel, "unticking keeps the channel"
        )
        self.assertTrue(channel.exists())

        channel.sudo().user_ids = False
        team.use_livechat = True
        self.assertEqual(
            team.livechat_channel_id, channel, "ticking again reuses the channel"
        )
        self.assertEqual(channel.user_ids, self.manager)

    def test_toggle_on_existing_team(self):
        team = self.Team.create(
            {"name": "Billing", "member_ids": [(6, 0, self.agent.ids)]}
        )
        self.assertFalse(team.livechat_channel_id)
        team.use_livechat = True
        self.assertEqual(team.livechat_channel_id.name, "Billing")

    def test_toggle_by_manager_without_live_chat_rights(self):
        team = (
            self.env["helpdesk.team"]
            .with_user(self.helpdesk_only_manager)
            .create(
                {
                    "name": "Returns",
                    "use_livechat": True,
                    "member_ids": [(6, 0, self.agent.ids)],
                }
            )
        )
        # Someone who cannot take chats does not become an operator: the team's
        # operators do.
        self.assertEqual(team.sudo().livechat_channel_id.user_ids, self.agent)

    def test_rename_team(self):
        team = self.Team.create({"name": "Hardware", "use_livechat": True})
        channel = team.livechat_channel_id
        team.name = "Hardware and Printers"
        self.assertEqual(
            channel.name,
            "Hardware and Printers",
            "a channel named after the team follows",
        )

        channel.name = "Website chat"
        team.name = "Devices"
        self.assertEqual(
            channel.name,
            "Website chat",
            "a channel renamed by its admin keeps its name",
        )

    def test_configure_button_opens_channel_form(self):
        team = self.Team.create({"name": "Accounts", "use_livechat": True})
        action = team.action_configure_livechat_channel()
        self.assertEqual(action["res_model"], "im_livechat.channel")
        self.assertEqual(action["res_id"], team.livechat_channel_id.id)
        self.assertEqual(action["views"], [(False, "form")])
        # The channel created here opens and saves in live chat's own form.
        with Form(team.livechat_channel_id.with_user(self.manager)) as channel_form:
            channel_form.button_text = "Questions? Chat with Accounts"
        self.assertEqual(
            team.livechat_channel_id.button_text, "Questions? Chat with Accounts"
        )

    def test_install_with_teams_already_using_live_chat(self):
        team = self.Team.create(
            {"name": "Legacy", "member_ids": [(6, 0, self.agent.ids)]}
        )
        # What the core toggle leaves behind before this addon is installed.
        self.env.cr.execute(
            "UPDATE helpdesk_team SET use_livechat = TRUE WHERE id = %s", [team.id]
        )
        team.invalidate_recordset(["use_livechat"])
        post_init_hook(self.env(su=True))
        self.assertEqual(team.livechat_channel_id.name, "Legacy")
        self.assertEqual(team.livechat_channel_id.user_ids, self.agent)
