from . import helpdesk_team
from . import helpdesk_ticket
from . import helpdesk_website_submission
from . import ir_model
from . import website_page
from . import website
