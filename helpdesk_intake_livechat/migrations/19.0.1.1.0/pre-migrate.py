"""The rule on members of conversations with tickets now follows the addon's
code (it no longer lets helpdesk users join them): let the update rewrite
it."""


def migrate(cr, version):
    cr.execute(
        "UPDATE ir_model_data SET noupdate = FALSE WHERE module = %s AND name = %s",
        ("helpdesk_intake_livechat", "discuss_channel_member_rule_helpdesk_ticket"),
    )
