"""Every addon ships a translation template and a complete Spanish catalog."""

from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent for path in REPO.glob("*/__manifest__.py"))


@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_spanish_catalog_is_complete(addon):
    template = addon / "i18n" / f"{addon.name}.pot"
    catalog = addon / "i18n" / "es.po"
    assert template.is_file(), f"{template} is missing"
    assert catalog.is_file(), f"{catalog} is missing"
    spanish = polib.pofile(str(catalog))
    translated = {entry.msgid for entry in spanish.translated_entries()}
    missing = [
        entry.msgid
        for entry in polib.pofile(str(template))
        if entry.msgid not in translated
    ]
    assert not missing, f"untranslated in {catalog}: {missing}"
    assert not spanish.fuzzy_entries(), f"fuzzy entries in {catalog}"
