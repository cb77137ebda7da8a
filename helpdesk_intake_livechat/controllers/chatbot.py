from odoo import http
from odoo.http import request

from odoo.addons.im_livechat.controllers.chatbot import LivechatChatbotScriptController


class HelpdeskChatbotController(LivechatChatbotScriptController):
    @http.route()
    def chatbot_trigger_step(self, channel_id, chatbot_script_id=None, data_id=None):
        # A Create Ticket step counts against the limits per client network
        # that the chat bot shares with the website form.
        request.update_context(helpdesk_client_ip=request.httprequest.remote_addr)
        return super().chatbot_trigger_step(
            channel_id, chatbot_script_id=chatbot_script_id, data_id=data_id
        )
