from . import helpdesk_team
