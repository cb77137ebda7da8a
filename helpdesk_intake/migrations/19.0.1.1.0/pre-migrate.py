"""The portal rule on tickets now follows the addon's code (it learnt about
unverified customers): let the update rewrite it."""


def migrate(cr, version):
    cr.execute(
        "UPDATE ir_model_data SET noupdate = FALSE WHERE module = %s AND name = %s",
        ("helpdesk_intake", "helpdesk_ticket_portal_rule"),
    )
