from collections import defaultdict

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ticket_count = fields.Integer(
        string="Tickets",
        compute="_compute_ticket_count",
        groups="helpdesk_intake.group_helpdesk_user",
        help="Tickets of the contact and of its contacts.",
    )
    open_ticket_count = fields.Integer(
        string="Open Tickets",
        compute="_compute_ticket_count",
        groups="helpdesk_intake.group_helpdesk_user",
    )
    sla_policy_count = fields.Integer(
        string="SLA Policies",
        compute="_compute_sla_policy_count",
        groups="helpdesk_intake.group_helpdesk_user",
        help="SLA policies restricted to the contact or to its company.",
    )

    # Every email and website form looks its customer up by address (the
    # gateway's author, the ticket's customer, Cc followers): without it,
    # each lookup reads all the contacts.
    _customer_email_idx = models.Index(
        "(email_normalized) WHERE email_normalized IS NOT NULL"
    )

    def _compute_ticket_count(self):
        # The contacts of a company count for it, as in the other apps.
        family = self.with_context(active_test=False).search_fetch(
            [("id", "child_of", self.ids)], ["parent_id"]
        )
        groups = self.env["helpdesk.ticket"]._read_group(
            [("partner_id", "in", family.ids)],
            ["partner_id", "is_closed"],
            ["__count"],
        )
        total, still_open = defaultdict(int), defaultdict(int)
        for partner, is_closed, count in groups:
            while partner:
                if partner in self:
                    total[partner] += count
                    if not is_closed:
                        still_open[partner] += count
                partner = partner.parent_id
        for partner in self:
            partner.ticket_count = total[partner]
            partner.open_ticket_count = still_open[partner]

    def _compute_sla_policy_count(self):
        groups = self.env["helpdesk.sla"]._read_group(
            [("partner_ids", "in", (self | self.commercial_partner_id).ids)],
            ["partner_ids"],
            ["id:array_agg"],
        )
        policy_ids = {partner: set(ids) for partner, ids in groups}
        for partner in self:
            partner.sla_policy_count = len(
                policy_ids.get(partner, set())
                | policy_ids.get(partner.commercial_partner_id, set())
            )

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_intake.helpdesk_ticket_action"
        )
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {
            "default_partner_id": self.id,
            "default_intake_channel": "manual",
            "search_default_is_open": 1,
        }
        action["display_name"] = self.env._(
            "Tickets of %(customer)s", customer=self.display_name
        )
        return action

    def action_view_sla_policies(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_intake.helpdesk_sla_action"
        )
        action["domain"] = [
            ("partner_ids", "in", (self | self.commercial_partner_id).ids)
        ]
        return action
