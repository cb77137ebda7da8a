import json
import secrets
from datetime import timedelta

from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.http import request

from odoo.addons.helpdesk_intake.tools import client_network

# Results per page of the help page.
HELP_PAGE_SIZE = 10
# Dates the help page filters by: key, days back.
HELP_DATE_FILTERS = {"month": 31, "year": 366}
# Suggestions the ticket form shows under its subject.
FORM_SUGGESTIONS = 5
# Key of the visitor session's random identifier in the suggestion counters.
DEFLECTION_SESSION_KEY = "helpdesk_help_session"


class HelpdeskHelpCenter(http.Controller):
    @http.route(
        "/helpdesk/<string:slug>/help",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        readonly=True,
    )
    def helpdesk_help(self, slug, search="", source="", date="", page=1, **kwargs):
        team = self._helpdesk_help_team(slug)
        return request.render(
            "helpdesk_intake_website_forum.help_page",
            self._prepare_help_page_values(team, search, source, date, page),
        )

    @http.route(
        "/helpdesk/<string:slug>/suggest",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        readonly=True,
    )
    def helpdesk_suggest(self, slug, q="", **kwargs):
        team = self._helpdesk_help_team(slug)
        results = team._help_suggest(request.env.user, q)
        return request.make_response(
            json.dumps({"results": results}),
            headers=[("Content-Type", "application/json")],
        )

    @http.route(
        "/helpdesk/<string:slug>/suggestion_event",
        type="jsonrpc",
        auth="public",
        website=True,
    )
    def helpdesk_suggestion_event(self, slug, event, count=1, **kwargs):
        """Count suggestions the ticket form showed (``shown``, ``count`` of
        them) or that the visitor opened (``click``)."""
        team = self._helpdesk_help_team(slug)
        if event not in ("shown", "click") or not isinstance(count, int):
            return False
        Deflection = request.env["helpdesk.help.deflection"]
        session_key = self._helpdesk_session_key(create=event == "shown")
        if not session_key:
            return False
        # sudo: helpdesk.help.deflection - visitors count their own session's
        # events, within the limits of _get_or_create and _count_*
        row = Deflection.sudo()._get_or_create(
            team,
            request.website,
            session_key,
            client_network(request.httprequest.remote_addr),
        )
        if event == "shown":
            row._count_shown(max(0, min(count, FORM_SUGGESTIONS)))
        else:
            row._count_click()
        return bool(row)

    # ------------------------------------------------------------
    # HOOKS
    # ------------------------------------------------------------

    def _helpdesk_help_team(self, slug):
        team = request.env["helpdesk.team"]._website_help_team(request.website, slug)
        if not team:
            raise NotFound()
        return team

    def _helpdesk_session_key(self, create=False):
        """Random identifier of the visitor's session in the suggestion
        counters (never the session's own identifier)."""
        key = request.session.get(DEFLECTION_SESSION_KEY)
        if not key and create:
            key = request.session[DEFLECTION_SESSION_KEY] = secrets.token_urlsafe(16)
        return key

    def _prepare_help_page_values(self, team, search, source, date, page):
        sources = team._help_sources()
        source = source if source in sources else ""
        date = date if date in HELP_DATE_FILTERS else ""
        date_from = date and fields.Datetime.now() - timedelta(
            days=HELP_DATE_FILTERS[date]
        )
        try:
            page = max(1, int(page))
        except ValueError:
            page = 1
        offset = (page - 1) * HELP_PAGE_SIZE
        results, total = team._help_search(
            request.env.user,
            search,
            sources=[source] if source else None,
            date_from=date_from,
            offset=offset,
            limit=HELP_PAGE_SIZE,
        )
        help_url = team._website_help_url()
        pager = request.website.pager(
            url=help_url,
            total=total,
            page=page,
            step=HELP_PAGE_SIZE,
            url_args={
                key: value
                for key, value in {
                    "search": search,
                    "source": source,
                    "date": date,
                }.items()
                if value
            },
        )
        return {
            "team": team,
            "help_url": help_url,
            "suggest_url": team._website_help_suggest_url(),
            "search": search,
            "source": source,
            "date": date,
            "sources": sources,
            "date_filters": {
                "": request.env._("Any time"),
                "month": request.env._("Past month"),
                "year": request.env._("Past year"),
            },
            "results": results,
            "total": total,
            "pager": pager,
            "contact_url": team._website_form_accepts_tickets(request.website)
            and team.website_url,
        }
