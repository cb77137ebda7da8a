from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.portal.controllers import portal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class HelpdeskCustomerPortal(portal.CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ticket_count" in counters:
            Ticket = request.env["helpdesk.ticket"]
            values["ticket_count"] = (
                Ticket.search_count(self._ticket_domain())
                if Ticket.has_access("read")
                else 0
            )
        return values

    def _ticket_domain(self):
        # Record rules restrict portal users to their own tickets; internal
        # users reaching the portal see the tickets they are the customer of.
        return (
            [("partner_id", "=", request.env.user.partner_id.id)]
            if not request.env.user.share
            else []
        )

    def _ticket_sortings(self):
        return {
            "date": {
                "label": request.env._("Newest"),
                "order": "create_date desc, id desc",
            },
            "priority": {
                "label": request.env._("Priority"),
                "order": "priority desc, id desc",
            },
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
        }

    def _ticket_filters(self):
        return {
            "open": {
                "label": request.env._("Open"),
                "domain": [("is_closed", "=", False)],
            },
            "closed": {
                "label": request.env._("Closed"),
                "domain": [("is_closed", "=", True)],
            },
            "all": {"label": request.env._("All"), "domain": []},
        }

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_tickets(self, page=1, sortby="date", filterby="all", **kw):
        Ticket = request.env["helpdesk.ticket"]
        sortings, filters = self._ticket_sortings(), self._ticket_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._ticket_domain() + filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/tickets",
            url_args={"sortby": sortby, "filterby": filterby},
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tickets = Ticket.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_tickets_history"] = tickets.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets.sudo(),
                "page_name": "ticket",
                "pager": pager,
                "default_url": "/my/tickets",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("helpdesk_intake.portal_my_tickets", values)

    @http.route("/my/tickets/<int:ticket_id>", type="http", auth="public", website=True)
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access(
                "helpdesk.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if (
            ticket_sudo.customer_unverified
            and access_token
            and consteq(ticket_sudo.access_token or "", access_token)
        ):
            # the token was only mailed to the customer's address
            ticket_sudo._verify_customer()
        values = self._get_page_view_values(
            ticket_sudo,
            access_token,
            {"page_name": "ticket", "ticket": ticket_sudo},
            "my_tickets_history",
            False,
            **kw,
        )
        return request.render("helpdesk_intake.portal_my_ticket", values)

    def _document_check_access(self, model_name, document_id, access_token=None):
        document_sudo = super()._document_check_access(
            model_name, document_id, access_token=access_token
        )
        if (
            model_name == "helpdesk.ticket"
            and request.env.user.share
            and document_sudo.team_id.privacy_visibility != "portal"
        ):
            # The team keeps its tickets out of the portal, links of its
            # emails included. Only the valid token of the link gets here (no
            # portal user may read the ticket): opening it still proves the
            # customer's address, so that they follow the ticket's replies.
            if document_sudo.customer_unverified:
                document_sudo._verify_customer()
            raise AccessError(request.env._("This ticket is not shared."))
        return document_sudo
