from odoo.http import request

from odoo.addons.helpdesk_intake_website.controllers import website_form

from .help_center import DEFLECTION_SESSION_KEY


class WebsiteForm(website_form.WebsiteForm):
    def _helpdesk_ticket_created(self, ticket):
        res = super()._helpdesk_ticket_created(ticket)
        session_key = request.session.get(DEFLECTION_SESSION_KEY)
        if session_key:
            # sudo: helpdesk.help.deflection - the visitor's own session
            request.env["helpdesk.help.deflection"].sudo().search(
                [("team_id", "=", ticket.team_id.id), ("session_key", "=", session_key)]
            )._count_ticket()
        return res
