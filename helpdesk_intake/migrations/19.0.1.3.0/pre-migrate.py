"""Teams got a visibility, "All internal users" for new teams. The teams of
an existing database keep what they offered so far: their customers and
portal followers see their tickets in the portal."""


def migrate(cr, version):
    cr.execute(
        """
        ALTER TABLE helpdesk_team
        ADD COLUMN IF NOT EXISTS privacy_visibility varchar
        """
    )
    cr.execute(
        """
        UPDATE helpdesk_team SET privacy_visibility = 'portal'
         WHERE privacy_visibility IS NULL
        """
    )
