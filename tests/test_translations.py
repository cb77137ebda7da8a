"""Every addon ships a translation template, a complete Spanish catalog, and
the Latin American Spanish terms of the users' documentation (Odoo not needed).

Odoo loads i18n/es.po, then i18n/es_419.po over it (empty translations
skipped), for every Latin American Spanish user: the catalog those users
get is the merge of both, checked here as Odoo builds it."""

import functools
import importlib.util
import re
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent
ADDONS = sorted(path.parent for path in REPO.glob("*/__manifest__.py"))

spec = importlib.util.spec_from_file_location(
    "gen_es_419", REPO / "tools" / "gen_es_419.py"
)
gen_es_419 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen_es_419)

# English term: (Spanish of Spain, as Odoo's es.po says it; Latin American
# Spanish, as the users' documentation says it)
GLOSSARY = {
    "Helpdesk": ("Servicio de asistencia", "Soporte al cliente"),
    "Email Alias": ("Alias de correo electrónico", "Seudónimo de correo electrónico"),
    "Live Chat": ("Chat en directo", "Chat en vivo"),
    "Website Form": ("Formulario del sitio web", "Formulario de sitio web"),
    "Help Center": ("Centro de ayuda", "Centro de ayuda"),
    "Go to Website": ("Ir al sitio web", "Ir al sitio web"),
    "Configure Live Chat Channel": (
        "Configurar el canal de chat en directo",
        "Configurar canal de chat en vivo",
    ),
    "Priority": ("Prioridad", "Prioridad"),
    "Channels": ("Canales", "Canales"),
}
# Odoo's own button (website.published.mixin): in Odoo's catalogs, not ours
ODOO_TERMS = {"Go to Website": "website"}

# One term per concept: words of one variant that the other never uses
ONLY_ES = [r"\bchats? en directo\b", r"\bservicio de asistencia\b", r"\balias\b"]
ONLY_ES += [r"\bformularios? del sitio web\b"]
ONLY_ES_419 = [r"\bchats? en vivo\b", r"\bsoporte al cliente\b", r"\bseudónimos?\b"]
ONLY_ES_419 += [r"\bformularios? de sitio web\b"]


@functools.cache
def catalog(addon, lang):
    path = addon / "i18n" / f"{lang}.po"
    return polib.pofile(str(path)) if path.is_file() else polib.POFile()


@functools.cache
def translations(addon, lang):
    """{msgid: msgstr} as Odoo loads it for lang (es, or es then es_419)."""
    langs = ["es", "es_419"] if lang == "es_419" else ["es"]
    merged = {}
    for code in langs:
        for entry in catalog(addon, code):
            if entry.msgstr and not entry.obsolete:
                merged[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return {msgid: msgstr for (_, msgid), msgstr in merged.items()}


def text_of(msgstr):
    """The words users read: markup, placeholders and identifiers left out,
    but the attributes they see (title, placeholder, alt, aria-label) kept."""
    seen = re.findall(r'(?:title|placeholder|alt|aria-label|string)="([^"]*)"', msgstr)
    words = re.sub(r"<[^>]*>|%\(\w+\)[sd]|\{\w*\}|\b\w+_\w+\b", " ", msgstr)
    return " ".join([words, *seen])


@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_spanish_catalog_is_complete(addon):
    template = addon / "i18n" / f"{addon.name}.pot"
    catalog_path = addon / "i18n" / "es.po"
    assert template.is_file(), f"{template} is missing"
    assert catalog_path.is_file(), f"{catalog_path} is missing"
    spanish = polib.pofile(str(catalog_path))
    translated = {entry.msgid for entry in spanish.translated_entries()}
    missing = [
        entry.msgid
        for entry in polib.pofile(str(template))
        if entry.msgid not in translated
    ]
    assert not missing, f"untranslated in {catalog_path}: {missing}"
    assert not spanish.fuzzy_entries(), f"fuzzy entries in {catalog_path}"


@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_latin_american_catalog_holds_only_differing_terms(addon):
    """es_419.po: what tools/gen_es_419.py makes from es.po, i.e. only the
    entries that differ, each of a msgid of the template."""
    path = addon / "i18n" / "es_419.po"
    expected = gen_es_419.build(addon)
    if not len(expected):
        assert not path.is_file(), f"{path}: nothing differs from es.po"
        return
    assert path.is_file(), f"{path} is missing: run tools/gen_es_419.py"
    assert path.read_text(encoding="utf-8") == str(expected) + "\n", (
        f"{path} is out of date: run tools/gen_es_419.py (make format)"
    )
    latin = polib.pofile(str(path))
    assert latin.metadata["Language"] == "es_419"
    template = {
        entry.msgid for entry in polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))
    }
    spanish = translations(addon, "es")
    for entry in latin:
        assert entry.msgid in template, (
            f"{path}: {entry.msgid!r} is not in the template"
        )
        assert entry.msgstr and entry.msgstr != spanish.get(entry.msgid)


@pytest.mark.parametrize("lang", ["es", "es_419"])
@pytest.mark.parametrize("addon", ADDONS, ids=lambda path: path.name)
def test_one_term_per_concept(addon, lang):
    forbidden = ONLY_ES_419 if lang == "es" else ONLY_ES
    wrong = {
        msgid: msgstr
        for msgid, msgstr in translations(addon, lang).items()
        if any(re.search(p, text_of(msgstr), re.IGNORECASE) for p in forbidden)
    }
    assert not wrong, f"{addon.name}, {lang}: the other variant's terms in {wrong}"


@pytest.mark.parametrize("lang", ["es", "es_419"])
@pytest.mark.parametrize("term", GLOSSARY)
def test_glossary(term, lang):
    expected = GLOSSARY[term][lang == "es_419"]
    found = {
        addon.name: translations(addon, lang)[term]
        for addon in ADDONS
        if term in translations(addon, lang)
    }
    if term in ODOO_TERMS:
        odoo_addons = Path("/opt/odoo19/odoo/addons")
        spec = importlib.util.find_spec("odoo")
        if spec and spec.submodule_search_locations:
            odoo_addons = Path(next(iter(spec.submodule_search_locations))) / "addons"
        core = odoo_addons / ODOO_TERMS[term]
        if not (core / "i18n" / "es.po").is_file():
            pytest.skip(f"Odoo's {ODOO_TERMS[term]} addon is not here")
        found[core.name] = translations(core, lang)[term]
    assert found, f"{term!r} is in no catalog"
    assert set(found.values()) == {expected}, found
