"""The helpdesk bot is now shipped as data: the demo's own support bot, a
twin of it, goes, and the live chat rules that used it take the shipped one."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    old_bot = env.ref(
        "helpdesk_intake_livechat.chatbot_script_support_bot", raise_if_not_found=False
    )
    if not old_bot:
        return
    new_bot = env.ref("helpdesk_intake_livechat.chatbot_script_helpdesk_bot")
    rules = env["im_livechat.channel.rule"].search(
        [("chatbot_script_id", "=", old_bot.id)]
    )
    rules.chatbot_script_id = new_bot
    # Tickets the old bot created keep their conversation, not the bot.
    old_bot.unlink()
