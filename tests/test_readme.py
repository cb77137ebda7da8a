"""Each addon's README.rst is the one tools/gen_addon_readme.py makes from its
readme/ fragments (Odoo not needed), and it is valid reStructuredText."""

import importlib.util
import io
from pathlib import Path

import pytest
from docutils.core import publish_string

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(manifest.parent for manifest in REPO.glob("*/__manifest__.py"))

spec = importlib.util.spec_from_file_location(
    "gen_addon_readme", REPO / "tools" / "gen_addon_readme.py"
)
gen_addon_readme = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_addon_readme)


@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_readme_is_generated_from_fragments(addon):
    readme = addon / "README.rst"
    assert readme.is_file(), f"{readme} is missing"
    assert readme.read_text(encoding="utf-8") == gen_addon_readme.render(addon), (
        f"{readme} is out of date: run `make format` (tools/gen_addon_readme.py)"
    )


@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_readme_is_valid_rst(addon):
    """As PyPI's renderer does, any docutils warning is an error."""
    warnings = io.StringIO()
    publish_string(
        (addon / "README.rst").read_text(encoding="utf-8"),
        writer_name="html",
        settings_overrides={
            "halt_level": 2,
            "warning_stream": warnings,
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    assert not warnings.getvalue()


@pytest.mark.parametrize(
    "markdown, rst",
    [
        ("Use `/ticket <title>`.\n", "Use ``/ticket <title>``.\n"),
        (
            "See [the docs](https://example.com).\n",
            "See `the docs <https://example.com>`__.\n",
        ),
        ("*Teams* and **Live Chat**\n", "*Teams* and **Live Chat**\n"),
        ("- one\n  two\n- three\n", "- one\n  two\n- three\n"),
        ("types\n\n    /ticket x\n\nthen\n", "types\n\n::\n\n    /ticket x\n\nthen\n"),
        ("types\n```\n/ticket x\n```\n", "types\n\n::\n\n    /ticket x\n"),
    ],
)
def test_markdown_conversion(markdown, rst):
    assert gen_addon_readme.markdown_to_rst(markdown) == rst


@pytest.mark.parametrize(
    "markdown", ["# Title\n", "| a | b |\n", "<b>x</b>\n", "* item\n"]
)
def test_markdown_without_rst_equivalent_is_refused(markdown):
    with pytest.raises(gen_addon_readme.FragmentError):
        gen_addon_readme.markdown_to_rst(markdown)
