from odoo import http
from odoo.http import request


class HelpdeskWebsite(http.Controller):
    @http.route(
        "/helpdesk",
        type="http",
        auth="public",
        website=True,
        sitemap=True,
        readonly=True,
    )
    def helpdesk_teams(self, **kwargs):
        Team = request.env["helpdesk.team"].sudo()
        teams = Team.search(self._helpdesk_teams_domain())
        return request.render(
            "helpdesk_intake_website.helpdesk_teams",
            self._prepare_helpdesk_teams_values(teams),
        )

    @http.route(
        "/helpdesk/ticket/submitted",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def helpdesk_ticket_submitted(self, **kwargs):
        return request.render(
            "helpdesk_intake_website.ticket_submitted",
            self._prepare_ticket_submitted_values(self._helpdesk_submitted_ticket()),
        )

    # ------------------------------------------------------------
    # HOOKS
    # ------------------------------------------------------------

    def _helpdesk_teams_domain(self):
        """Teams listed on ``/helpdesk``: those of the current website's Help
        Center, unpublished ones too for its designers."""
        return request.env["helpdesk.team"]._website_help_center_domain(
            request.website,
            include_unpublished=request.env.user.has_group(
                "website.group_website_designer"
            ),
        )

    def _prepare_helpdesk_teams_values(self, teams):
        return {"teams": teams}

    def _helpdesk_submitted_ticket(self):
        """The ticket this browser session has just submitted, if any: its id
        was stored in the session by the form controller, never taken from
        the request."""
        Ticket = request.env["helpdesk.ticket"]
        if request.session.get("form_builder_model_model") != Ticket._name:
            return Ticket
        return Ticket.sudo().browse(request.session.get("form_builder_id")).exists()

    def _prepare_ticket_submitted_values(self, ticket):
        # The link carries the ticket's access token: only for the customer
        # themselves, never for whoever typed their address.
        user = request.env.user
        portal_url = False
        if ticket and not user._is_public() and ticket.partner_id == user.partner_id:
            portal_url = ticket.get_portal_url()
        return {"ticket": ticket, "portal_url": portal_url}
