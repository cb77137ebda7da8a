"""Test collection for the whole repository.

With Odoo, pytest-odoo (plugin ``odoo``) runs every test, except, as Odoo's
own test runner does, those tagged ``-standard``. Without Odoo, pytest runs
with ``-p no:odoo``: the Odoo test modules are then not collected, and the
summary says how many were skipped. An Odoo test module is a ``test_*.py``
file that imports ``odoo`` or belongs to an addon.
"""

import ast
from pathlib import Path

import pytest

SKIPPED = pytest.StashKey[set]()


def _in_addon(path):
    return any((parent / "__manifest__.py").is_file() for parent in path.parents)


def _imports_odoo(path):
    for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module]
        else:
            continue
        if any(name == "odoo" or name.startswith("odoo.") for name in names):
            return True
    return False


def is_odoo_test_module(path):
    path = Path(path)
    return _in_addon(path) or _imports_odoo(path)


def pytest_configure(config):
    config.stash[SKIPPED] = set()


def pytest_ignore_collect(collection_path, config):
    if config.pluginmanager.has_plugin("odoo"):
        return None
    if collection_path.is_file() and collection_path.match("test_*.py"):
        if is_odoo_test_module(collection_path):
            config.stash[SKIPPED].add(collection_path)
            return True
    return None


def pytest_terminal_summary(terminalreporter, config):
    if not config.pluginmanager.has_plugin("odoo"):
        count = len(config.stash[SKIPPED])
        terminalreporter.write_line(
            f"odoo not importable: {count} Odoo test modules skipped"
        )


def pytest_collection_modifyitems(config, items):
    """Like Odoo's test runner, leave out the tests tagged ``-standard``."""
    if not config.pluginmanager.has_plugin("odoo"):
        return
    skip = pytest.mark.skip(reason="tagged -standard: Odoo does not run it by default")
    for item in items:
        # Odoo tags only the test classes of addons as "standard"; the
        # repository's own Odoo tests run whenever they are collected.
        if not (item.cls and item.cls.__module__.startswith("odoo.addons.")):
            continue
        if "standard" not in getattr(item.cls, "test_tags", {"standard"}):
            item.add_marker(skip)
