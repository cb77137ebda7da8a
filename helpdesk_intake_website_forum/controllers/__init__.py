from . import help_center
from . import website_form
