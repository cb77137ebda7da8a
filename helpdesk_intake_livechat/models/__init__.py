from . import chatbot_script
from . import chatbot_script_step
from . import discuss_channel
from . import helpdesk_team
from . import helpdesk_ticket
from . import im_livechat_report_channel
