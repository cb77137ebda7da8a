from . import helpdesk_ticket_forum_share
