from operator import itemgetter
from urllib.parse import urlencode

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.fields import Domain
from odoo.http import request
from odoo.tools import consteq
from odoo.tools import groupby as groupbyelem

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
        # Record rules restrict portal users to their own tickets, out of
        # Spam, and to those they follow; internal users reaching the portal
        # see the tickets they are the customer of.
        user = request.env.user
        if not user.share:
            return [("partner_id", "=", user.partner_id.id), ("is_spam", "=", False)]
        # The rule's tickets, named by indexed columns, so that the database
        # reads the customer's tickets rather than every ticket of the teams
        # open to portal users, checking each against the rule.
        # sudo: mail.followers - the user's own subscriptions, narrowed by
        # the record rules afterwards
        followed = (
            request.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("partner_id", "=", user.partner_id.id),
                ],
                ["res_id"],
            )
        )
        return [
            "|",
            ("partner_id", "=", user.partner_id.id),
            ("id", "in", followed.mapped("res_id")),
        ]

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

    def _ticket_searchbar_inputs(self):
        return {
            "all": {
                "input": "all",
                "label": request.env._("Search in Reference and Title"),
            },
            "name": {"input": "name", "label": request.env._("Search in Title")},
            "ref": {"input": "ref", "label": request.env._("Search in Reference")},
        }

    def _ticket_search_domain(self, search_in, search):
        by_ref = [("ref", "=", search.strip().lstrip("#"))]
        by_name = [("name", "ilike", search)]
        if search_in == "ref":
            return by_ref
        if search_in == "name":
            return by_name
        return Domain.OR([by_ref, by_name])

    def _ticket_groupbys(self):
        """Group-by options: the field grouped by (None for no grouping)."""
        return {
            "none": {"label": request.env._("None"), "field": None},
            "stage": {"label": request.env._("Stage"), "field": "stage_id"},
            "team": {"label": request.env._("Team"), "field": "team_id"},
            "priority": {"label": request.env._("Priority"), "field": "priority"},
        }

    def _ticket_groups(self, tickets, group_field):
        """[(label, tickets)] of the page, in the order of ``tickets``."""
        if not group_field:
            return [("", tickets)] if tickets else []
        field = tickets._fields[group_field]
        labels = (
            dict(field._description_selection(request.env))
            if field.type == "selection"
            else {}
        )
        return [
            (
                labels.get(key, "") if labels else key.display_name,
                tickets.browse().concat(*group),
            )
            for key, group in groupbyelem(tickets, itemgetter(group_field))
        ]

    @http.route(
        ["/my/tickets", "/my/tickets/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_tickets(
        self,
        page=1,
        sortby="date",
        filterby="all",
        search=None,
        search_in="all",
        groupby="none",
        **kw,
    ):
        Ticket = request.env["helpdesk.ticket"]
        sortings, filters = self._ticket_sortings(), self._ticket_filters()
        inputs, groupbys = self._ticket_searchbar_inputs(), self._ticket_groupbys()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        search_in = search_in if search_in in inputs else "all"
        groupby = groupby if groupby in groupbys else "none"
        domain = Domain(self._ticket_domain()) & Domain(filters[filterby]["domain"])
        if search:
            domain &= Domain(self._ticket_search_domain(search_in, search))
        group_field = groupbys[groupby]["field"]
        order = sortings[sortby]["order"]
        if group_field:
            order = f"{group_field}, {order}"
        pager = portal_pager(
            url="/my/tickets",
            url_args={
                "sortby": sortby,
                "filterby": filterby,
                "search_in": search_in,
                "search": search,
                "groupby": groupby,
            },
            total=Ticket.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        tickets = Ticket.search(
            domain,
            order=order,
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_tickets_history"] = tickets.ids[:100]
        tickets = tickets.sudo()
        grouped_tickets = self._ticket_groups(tickets, group_field)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": tickets,
                "grouped_tickets": grouped_tickets,
                "group_field": group_field,
                "page_name": "ticket",
                "pager": pager,
                "default_url": "/my/tickets",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": inputs,
                "search_in": search_in,
                "search": search,
                "searchbar_groupby": groupbys,
                "groupby": groupby,
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
        if ticket_sudo.is_spam:
            # its link was never mailed: whoever has it forged it or guessed it
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

    def _ticket_customer_may_close(self, ticket_sudo, access_token):
        """Whether the visitor may close ``ticket_sudo``, whose access was
        checked: its team lets customers close their tickets, and the visitor
        is its customer (or a contact of the customer's company), or holds the
        link mailed to the customer."""
        if not ticket_sudo.team_id.portal_allow_close or ticket_sudo.is_closed:
            return False
        if access_token and consteq(ticket_sudo.access_token or "", access_token):
            return True
        user = request.env.user
        return (
            not user._is_public()
            and not ticket_sudo.customer_unverified
            and ticket_sudo.partner_id.commercial_partner_id
            == user.partner_id.commercial_partner_id
        )

    @http.route(
        "/my/tickets/<int:ticket_id>/close",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_close_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket_sudo = self._document_check_access(
                "helpdesk.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not self._ticket_customer_may_close(ticket_sudo, access_token):
            raise Forbidden()
        user = request.env.user
        ticket_sudo._close_by_customer(None if user._is_public() else user.partner_id)
        url = f"/my/tickets/{ticket_sudo.id}"
        if access_token:
            url += "?" + urlencode({"access_token": access_token})
        return request.redirect(url)
