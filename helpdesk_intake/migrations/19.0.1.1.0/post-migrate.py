"""The per-client limit of the website form became the limit that the form
and the chat bot share: keep the value an administrator set."""

OLD_KEY = "helpdesk_intake_website.rate_limit"
NEW_KEY = "helpdesk_intake.rate_limit"


def migrate(cr, version):
    cr.execute(
        """
        INSERT INTO ir_config_parameter (key, value, create_uid, write_uid,
                                         create_date, write_date)
        SELECT %s, value, create_uid, write_uid, create_date, now() at time zone 'UTC'
          FROM ir_config_parameter
         WHERE key = %s
        ON CONFLICT (key) DO NOTHING
        """,
        (NEW_KEY, OLD_KEY),
    )
    cr.execute("DELETE FROM ir_config_parameter WHERE key = %s", (OLD_KEY,))
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = %s AND name = %s",
        ("helpdesk_intake_website", "icp_rate_limit"),
    )
