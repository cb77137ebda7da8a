from . import helpdesk_stage
from . import helpdesk_tag
from . import helpdesk_team
from . import helpdesk_sla
from . import helpdesk_sla_status
from . import helpdesk_ticket
from . import mail_alias
from . import mail_thread
