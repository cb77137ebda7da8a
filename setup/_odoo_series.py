"""Packaging helper shared by every ``setup/<addon>/setup.py``.

setuptools-odoo 3.3 knows the Odoo series up to 16.0. This module registers
the 19.0 series with it, then runs ``setuptools.setup`` for the addon found in
``odoo/addons/`` next to the calling ``setup.py``.
"""

import subprocess

import setuptools
from setuptools_odoo import core

# Odoo Community addons our addons may depend on. They ship with Odoo itself,
# so a dependency on them becomes ``odoo>=19.0a,<19.1dev`` instead of a
# requirement on an ``odoo-addon-*`` package. Extend it when a manifest
# depends on another Odoo addon.
BASE_ADDONS = frozenset(
    """
    auth_signup base base_automation base_import base_setup bus calendar contacts
    crm crm_livechat digest gamification google_recaptcha html_builder
    html_editor http_routing iap im_livechat link_tracker mail mail_bot
    phone_validation portal portal_rating product rating resource sales_team
    sms social_media uom utm web web_tour website website_cf_turnstile
    website_crm website_crm_livechat website_forum website_links
    website_livechat website_mail website_partner website_profile website_slides
    website_sms
    """.split()
)

SERIES_19 = {
    "odoo_dep": "odoo>=19.0a,<19.1dev",
    "base_addons": BASE_ADDONS,
    "pkg_name_pfx": "odoo-addon",
    "pkg_version_specifier": ">=19.0dev,<19.1dev",
    "addons_ns": "odoo.addons",
    "namespace_packages": None,
    "python_requires": ">=3.10",
    "universal_wheel": False,
    "git_postversion_strategy": core.STRATEGY_DOT_N,
}

# A later setuptools-odoo that knows 19.0 keeps its own definition.
core.ODOO_VERSION_INFO.setdefault("19.0", SERIES_19)


def _git_lists_addon_files():
    """True when setuptools-scm can list the addon's files: the repository
    has a commit and git tracks the ./odoo/addons/<addon> symlink."""
    try:
        for args in (
            ["rev-parse", "--verify", "--quiet", "HEAD"],
            ["ls-files", "--error-unmatch", "odoo/addons"],
        ):
            subprocess.run(["git", *args], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def setup_addon():
    """Build the package of the single addon in ./odoo/addons/."""
    if _git_lists_addon_files():
        # The package holds the addon's files tracked by git.
        setuptools.setup(odoo_addon=True)
        return
    # Not committed yet, or no git checkout: take the addon's files as they
    # are on disk, with the manifest version as is.
    setuptools.setup(
        odoo_addon={"post_version_strategy_override": "none"},
        packages=setuptools.find_namespace_packages(
            include=["odoo.addons.*"], exclude=["*.__pycache__"]
        ),
        package_data={"": ["*"]},
    )
