"""The teams' pages, copies of the page template, pass the query parameters
of their address to the form's prefill (the forum's question) instead of the
model reading them from the request: give the pages made before the new call."""

OLD_CALL = "team._website_form_prefill_values(request.env.user)"
NEW_CALL = (
    "team._website_form_prefill_values(request.env.user, request.httprequest.args)"
)


def migrate(cr, version):
    cr.execute(
        """
        UPDATE ir_ui_view view
           SET arch_db = replace(view.arch_db::text, %(old)s, %(new)s)::jsonb
          FROM website_page page
          JOIN helpdesk_team team ON team.website_page_id = page.id
         WHERE page.view_id = view.id
           AND view.arch_db::text LIKE %(like)s
        """,
        {"old": OLD_CALL, "new": NEW_CALL, "like": f"%{OLD_CALL}%"},
    )
