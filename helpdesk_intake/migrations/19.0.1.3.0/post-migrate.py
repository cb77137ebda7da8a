"""The acknowledgement now lists the files received and refused, tells when
an answer can be expected, and links to the portal only for teams open to
portal users. Its record is noupdate: a template nobody edited since the
addon loaded it follows the new text; an edited one is left to its author."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref(
        "helpdesk_intake.mail_template_ticket_ack", raise_if_not_found=False
    )
    if template and template.write_uid.id == SUPERUSER_ID:
        template.reset_template()
