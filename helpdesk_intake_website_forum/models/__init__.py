from . import helpdesk_team
from . import helpdesk_ticket
from . import forum_forum
from . import forum_post
from . import helpdesk_help_deflection
from . import helpdesk_intake_throttle
