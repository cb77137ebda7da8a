from . import main
from . import website_form
from . import website_form_attachments
