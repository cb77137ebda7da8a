from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from ..tools import normalize_domain, sender_domains


class HelpdeskBlockSender(models.TransientModel):
    """Block the sender of a ticket, by address or by domain, for its team or
    for all the teams of its company, and archive the ticket."""

    _name = "helpdesk.block.sender"
    _description = "Block the Sender of a Ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    email = fields.Char(compute="_compute_email", string="Sender")
    sender_type = fields.Selection(
        [("email", "This address"), ("domain", "Its domain")],
        string="Block",
        default="email",
        required=True,
    )
    domain = fields.Char(
        compute="_compute_domain",
        store=True,
        readonly=False,
        help="The sender's domain, or one of its parent domains; its "
        "subdomains are blocked too.",
    )
    scope = fields.Selection(
        [("team", "This team"), ("company", "All teams")],
        string="For",
        default="team",
        required=True,
    )
    reason = fields.Char()

    @api.depends("ticket_id.partner_email")
    def _compute_email(self):
        for wizard in self:
            wizard.email = email_normalize(wizard.ticket_id.partner_email or "")

    @api.depends("ticket_id.partner_email")
    def _compute_domain(self):
        for wizard in self:
            domains = sender_domains(
                email_normalize(wizard.ticket_id.partner_email or "")
            )
            wizard.domain = domains[-1] if domains else False

    def action_block(self):
        """Agents block from the ticket they handle, while the blocklist
        itself is for administrators to manage: the entry is written as
        superuser, limited to what the ticket allows (its own sender, or a
        domain of that sender; its team or its company)."""
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        if not self.email:
            raise UserError(self.env._("This ticket has no sender address to block."))
        values = {
            "sender_type": self.sender_type,
            "company_id": ticket.company_id.id,
            "team_id": ticket.team_id.id if self.scope == "team" else False,
            "reason": self.reason
            or self.env._("Blocked from ticket #%(ref)s", ref=ticket.ref),
        }
        if self.sender_type == "domain":
            domain = normalize_domain(self.domain)
            if domain not in sender_domains(self.email):
                raise UserError(
                    self.env._(
                        "Only the domain of %(email)s or one of its parent "
                        "domains can be blocked from this ticket.",
                        email=self.email,
                    )
                )
            values["domain"] = domain
        else:
            values["email"] = self.email
        Blocked = self.env["helpdesk.blocked.sender"].sudo()
        blocked = Blocked.search(
            [
                ("company_id", "=", values["company_id"]),
                ("team_id", "=", values["team_id"]),
                ("email", "=", values.get("email", False)),
                ("domain", "=", values.get("domain", False)),
            ],
            limit=1,
        ) or Blocked.create(values)
        ticket.message_post(
            body=self.env._(
                "%(sender)s blocked for %(scope)s.",
                sender=blocked.sender,
                scope=ticket.team_id.display_name
                if blocked.team_id
                else self.env._("all teams"),
            ),
            subtype_xmlid="mail.mt_note",
        )
        ticket.action_archive()
        return {"type": "ir.actions.act_window_close"}
