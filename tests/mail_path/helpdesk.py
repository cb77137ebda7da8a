"""An Odoo database set up as a helpdesk administrator would: an alias
domain, an outgoing mail server, teams with an email alias and incoming mail
servers reading Dovecot mailboxes, all set up and run over RPC."""

from dataclasses import dataclass

DOMAIN = "helpdesk.test"
EMPLOYEE = ("Erin Employee", "erin.employee@mycompany.example")
ADMIN_EMAIL = "admin@mycompany.example"


@dataclass
class Team:
    id: int
    alias: str


class Helpdesk:
    def __init__(self, server, sink):
        self.server = server
        self.sink = sink

    def execute(self, model, method, *args, **kwargs):
        return self.server.execute(model, method, *args, **kwargs)

    def configure(self):
        domain_id = self.execute("mail.alias.domain", "create", {"name": DOMAIN})
        company_ids = self.execute("res.company", "search", [])
        self.execute(
            "res.company", "write", company_ids, {"alias_domain_id": domain_id}
        )
        self.execute(
            "ir.mail_server",
            "create",
            {
                "name": "SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": self.sink.port,
                "smtp_encryption": "none",
                "sequence": 1,
            },
        )
        # agents read their notifications in Odoo: what the sink receives is
        # what customers receive
        self.execute(
            "res.users",
            "write",
            [self.server.uid],
            {"email": ADMIN_EMAIL, "notification_type": "inbox"},
        )
        manager = self.server.xmlid("helpdesk_intake.group_helpdesk_manager")
        self.execute(
            "res.users", "write", [self.server.uid], {"group_ids": [(4, manager)]}
        )
        self.execute(
            "res.users",
            "create",
            {
                "name": EMPLOYEE[0],
                "login": "erin",
                "email": EMPLOYEE[1],
                "group_ids": [(6, 0, [self.server.xmlid("base.group_user")])],
            },
        )
        return self

    @property
    def bounce(self):
        return f"bounce@{DOMAIN}"

    def add_team(self, name, alias_name):
        team_id = self.execute(
            "helpdesk.team",
            "create",
            {"name": name, "alias_name": alias_name, "member_ids": [(6, 0, [])]},
        )
        return Team(team_id, f"{alias_name}@{DOMAIN}")

    def alias_id(self, team):
        (team_values,) = self.execute("helpdesk.team", "read", [team.id], ["alias_id"])
        return team_values["alias_id"][0]

    def alias_status(self, team):
        alias_id = self.alias_id(team)
        return self.execute("mail.alias", "read", [alias_id], ["alias_status"])[0][
            "alias_status"
        ]

    def add_fetchmail(self, mailbox, name, model="helpdesk.ticket"):
        """An incoming mail server on the mailbox, confirmed like the
        "Test & Confirm" button does."""
        model_id = self.execute("ir.model", "search", [("model", "=", model)])[0]
        server_id = self.execute(
            "fetchmail.server",
            "create",
            {
                "name": name,
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": mailbox.dovecot.port,
                "is_ssl": False,
                "user": mailbox.user,
                "password": mailbox.password,
                "object_id": model_id,
                "attach": True,
            },
        )
        self.execute("fetchmail.server", "button_confirm_login", [server_id])
        return server_id

    def archive_fetchmail(self, server_id):
        self.execute("fetchmail.server", "write", [server_id], {"active": False})

    def fetch(self, mailbox, max_runs=20):
        """Run the "Mail: Fetchmail Service" job until the mailbox has no
        unseen message left, as the scheduler does every few minutes."""
        for _run in range(max_runs):
            if not mailbox.unseen_count():
                return
            self.server.run_cron("mail.ir_cron_mail_gateway_action")
        raise RuntimeError(
            f"{mailbox.unseen_count()} messages still unseen after {max_runs} fetches"
        )

    def run_scheduled_jobs(self, rounds=10):
        """Run the scheduled jobs woken up by what just happened (such as
        acknowledgements to write), then the email queue, as the scheduler
        would; the fetchmail job is left to ``fetch``. The SMTP sink has
        every email sent once this returns: it keeps them before accepting
        them."""
        fetchmail = self.server.xmlid("mail.ir_cron_mail_gateway_action")
        queue = self.server.xmlid("mail.ir_cron_mail_scheduler_action")
        for _round in range(rounds):
            due = {
                cron_id
                for (cron_id,) in self.server.database.rows(
                    """
                    SELECT t.cron_id FROM ir_cron_trigger t
                      JOIN ir_cron c ON c.id = t.cron_id
                     WHERE c.active AND t.call_at <= now() AT TIME ZONE 'UTC'
                    """
                )
            } - {fetchmail}
            if not due:
                break
            for cron_id in sorted(due, key=lambda cron_id: (cron_id == queue, cron_id)):
                self.execute("ir.cron", "method_direct_trigger", [cron_id])
        self.execute("ir.cron", "method_direct_trigger", [queue])
