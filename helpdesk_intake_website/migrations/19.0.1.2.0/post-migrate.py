"""The teams' pages, copies of the page template, show the team's name and
description as text instead of fields of the page: the website editor's Save
then no longer writes the team. Give the pages made before the change the
new header, and the websites publishing a team's form their Help menu."""

from odoo import SUPERUSER_ID, api

# As the characters appear in the JSON text of the translated arch.
FIELDS = ("team.name", "team.description")


def migrate(cr, version):
    for expression in FIELDS:
        old = f't-field=\\"{expression}\\"'
        new = f't-out=\\"{expression}\\"'
        cr.execute(
            """
            UPDATE ir_ui_view view
               SET arch_db = replace(view.arch_db::text, %(old)s, %(new)s)::jsonb
              FROM website_page page
              JOIN helpdesk_team team ON team.website_page_id = page.id
             WHERE page.view_id = view.id
               AND view.arch_db::text LIKE %(like)s
            """,
            # a backslash escapes in LIKE patterns
            {"old": old, "new": new, "like": "%" + old.replace("\\", "\\\\") + "%"},
        )
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["website"].search([])._helpdesk_sync_menu()
