"""Every manifest, XML and CSV file of every addon parses (Odoo not needed)."""

import ast
import csv
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(manifest.parent for manifest in REPO.glob("*/__manifest__.py"))


def addon_files(suffix):
    return sorted(
        path for addon in ADDONS for path in addon.rglob(f"*{suffix}") if path.is_file()
    )


def relative(path):
    return str(path.relative_to(REPO))


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("addon", ADDONS, ids=relative)
def test_manifest(addon):
    manifest = read_manifest(addon)
    assert isinstance(manifest, dict)
    assert manifest.get("name")
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", manifest.get("version", ""))
    assert isinstance(manifest.get("depends", []), list)
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            assert (addon / name).is_file(), f"{key} file {name} is missing"


@pytest.mark.parametrize("path", addon_files(".xml"), ids=relative)
def test_xml(path):
    ElementTree.parse(path)


@pytest.mark.parametrize("path", addon_files(".csv"), ids=relative)
def test_csv(path):
    with path.open(encoding="utf-8", newline="") as file:
        header, *rows = csv.reader(file, strict=True)
    assert header and all(header)
    for number, row in enumerate(rows, start=2):
        assert len(row) == len(header), f"line {number}: {len(row)} columns"


@pytest.mark.parametrize(
    "tests_dir", [a / "tests" for a in ADDONS if (a / "tests").is_dir()], ids=relative
)
def test_tests_package_imports_every_test_module(tests_dir):
    """Odoo runs the test modules its tests/__init__.py imports; pytest runs the
    test_*.py files. Both must be the same set."""
    init = ast.parse((tests_dir / "__init__.py").read_bytes())
    imported = {
        alias.name
        for node in ast.walk(init)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }
    files = {path.stem for path in tests_dir.glob("test_*.py")}
    assert {name for name in imported if name.startswith("test_")} == files
