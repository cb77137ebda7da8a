import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _odoo_series import setup_addon  # noqa: E402

setup_addon()
