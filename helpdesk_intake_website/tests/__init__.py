from . import test_editor_save
from . import test_form_fields
from . import test_help_menu
from . import test_portal_attachments
from . import test_security
from . import test_team_page
from . import test_tours
from . import test_website_form
