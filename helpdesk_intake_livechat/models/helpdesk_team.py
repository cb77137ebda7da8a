from odoo import Command, api, fields, models

LIVECHAT_OPERATOR_GROUP = "im_livechat.im_livechat_group_user"


class HelpdeskTeam(models.Model):
    _name = "helpdesk.team"
    _inherit = "helpdesk.team"

    livechat_channel_id = fields.Many2one(
        "im_livechat.channel",
        string="Live Chat Channel",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        help="Conversations of this channel become tickets of this team with "
        "/ticket. Several teams may share a channel: the first one in sequence gets "
        "the tickets.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        teams._livechat_ensure_channel()
        return teams

    def write(self, vals):
        res = super().write(vals)
        if vals.get("use_livechat") or "livechat_channel_id" in vals:
            self._livechat_ensure_channel()
        return res

    def _team_named_records(self):
        # sudo: im_livechat.channel - the channel named after the team follows
        # its renaming; a channel its administrator renamed keeps its name.
        return super()._team_named_records() + [self.livechat_channel_id.sudo()]

    def _livechat_ensure_channel(self):
        """Give each team using live chat a channel, named after the team, with
        the current user among its operators."""
        user = self.env.user
        # Outside of an interactive session (module installation), nobody is
        # "the current user": the team's own members staff a new channel.
        current_operator = user if self._livechat_is_operator(user) else user.browse()
        for team in self.filtered("use_livechat"):
            # sudo: im_livechat.channel - only live chat managers may create or
            # staff channels, helpdesk managers set up their team's one here.
            channel = team.livechat_channel_id.sudo()
            if channel:
                if current_operator and current_operator not in channel.user_ids:
                    channel.user_ids = [Command.link(current_operator.id)]
                continue
            operators = current_operator or team.member_ids.filtered(
                self._livechat_is_operator
            )
            team.livechat_channel_id = (
                self.env["im_livechat.channel"]
                .sudo()
                .create({"name": team.name, "user_ids": [Command.set(operators.ids)]})
            )

    @api.model
    def _livechat_is_operator(self, user):
        return (
            user.active
            and not user._is_superuser()
            and user._is_internal()
            and user.has_group(LIVECHAT_OPERATOR_GROUP)
        )

    def action_configure_livechat_channel(self):
        """Open live chat's own form of the team's channel."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "im_livechat.im_livechat_channel_action"
        )
        action.update(
            {
                "res_id": self.livechat_channel_id.id,
                "view_mode": "form",
                "views": [(False, "form")],
                "display_name": self.livechat_channel_id.display_name,
            }
        )
        return action
