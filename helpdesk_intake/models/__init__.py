from . import helpdesk_stage
from . import helpdesk_tag
from . import helpdesk_team
from . import helpdesk_ticket
from . import mail_thread
