"""The ticket's "channel" became "intake_channel", so that it cannot be taken
for the live chat or Discuss channel fields: keep its values, its field
record and its external id."""

from odoo.tools import SQL

RENAMED = {
    "helpdesk.ticket": "helpdesk_ticket",
    "helpdesk.sla.status": "helpdesk_sla_status",
}


def migrate(cr, version):
    for model, table in RENAMED.items():
        cr.execute(
            """
            SELECT 1 FROM information_schema.columns
             WHERE table_name = %s AND column_name = 'channel'
            """,
            (table,),
        )
        if not cr.fetchone():
            continue
        cr.execute(
            SQL(
                "ALTER TABLE %s RENAME COLUMN channel TO intake_channel",
                SQL.identifier(table),
            )
        )
        cr.execute(
            """
            UPDATE ir_model_fields SET name = 'intake_channel'
             WHERE model = %s AND name = 'channel'
            """,
            (model,),
        )
        cr.execute(
            """
            UPDATE ir_model_data SET name = %s
             WHERE module = 'helpdesk_intake' AND model = 'ir.model.fields'
               AND name = %s
            """,
            (f"field_{table}__intake_channel", f"field_{table}__channel"),
        )
