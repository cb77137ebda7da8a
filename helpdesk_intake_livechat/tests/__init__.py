from . import test_chatbot
from . import test_helpdesk_team
from . import test_security
from . import test_ticket_command
from . import test_tour
from . import test_transcript
from . import test_visibility
