from . import test_contact_us
from . import test_deflection
from . import test_help_page
from . import test_share_on_forum
from . import test_suggest
from . import test_team_forum
from . import test_tours
