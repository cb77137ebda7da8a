from . import test_help_courses
