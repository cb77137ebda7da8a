from odoo import fields, models
from odoo.tools import SQL


class ImLivechatReportChannel(models.Model):
    _name = "im_livechat.report.channel"
    _inherit = "im_livechat.report.channel"

    helpdesk_tickets_created = fields.Integer(
        "Tickets created", aggregator="sum", readonly=True
    )

    def _select(self) -> SQL:
        return SQL(
            "%s, helpdesk_ticket_data.tickets_created AS helpdesk_tickets_created",
            super()._select(),
        )

    def _from(self) -> SQL:
        # One count per conversation: the report sums them by live chat
        # channel, operator or any other of its groupings.
        return SQL(
            """%s
            LEFT JOIN LATERAL
                (
                    SELECT count(*) AS tickets_created
                      FROM helpdesk_ticket
                     WHERE helpdesk_ticket.origin_channel_id = C.id
                ) AS helpdesk_ticket_data ON TRUE
            """,
            super()._from(),
        )
