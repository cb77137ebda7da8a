#!/usr/bin/env python3
"""Write each addon's i18n/es_419.po (Latin American Spanish) from its es.po.

Odoo loads i18n/es.po, then i18n/es_419.po over it, for every Latin American
Spanish user (es_419, es_MX, es_AR, ...), skipping empty translations. So
es_419.po holds only the entries whose Latin American wording differs from
the Spanish (Spain) one: those whose es.po translation uses a term of
ES_TO_ES_419 below. The terms are those of the users' documentation,
written in Latin American Spanish ("Soporte al cliente", "Chat en vivo",
"Seudónimo de correo electrónico", "Formulario de sitio web", ...); es.po
keeps the terms of Odoo's own Spanish (Spain) catalogs ("Servicio de
asistencia", "Chat en directo", "Alias de correo electrónico",
"Formulario del sitio web").

Run it after a change of es.po (make format does):

    python3 tools/gen_es_419.py            # every addon
    python3 tools/gen_es_419.py --check    # exit 1 if an es_419.po is stale
"""

import argparse
import re
import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent

# Spanish (Spain) wording -> Latin American wording, applied in this order.
ES_TO_ES_419 = (
    # Helpdesk: "Servicio de asistencia" -> "Soporte al cliente"
    (r"\bdel servicio de asistencia\b", "de soporte al cliente"),
    (r"\bal servicio de asistencia\b", "a soporte al cliente"),
    (r"\bel servicio de asistencia\b", "soporte al cliente"),
    (r"\bServicio de asistencia\b", "Soporte al cliente"),
    (r"\bservicio de asistencia\b", "soporte al cliente"),
    # Live Chat: "Chat en directo" -> "Chat en vivo"
    (r"\bConfigurar el canal de chat en directo\b", "Configurar canal de chat en vivo"),
    (r"\b([Cc]hats?) en directo\b", r"\1 en vivo"),
    # Website Form: "Formulario del sitio web" -> "Formulario de sitio web"
    (r"\b([Ff]ormularios?) del sitio web\b", r"\1 de sitio web"),
    # Email Alias: "Alias" -> "Seudónimo" (de correo electrónico)
    (r"\bAlias\b", "Seudónimo"),
    (r"\balias\b", "seudónimo"),
)
HEADER_LANGUAGE = {"Language": "es_419", "Language-Team": "Spanish (Latin America)"}


def to_es_419(text):
    for pattern, replacement in ES_TO_ES_419:
        text = re.sub(pattern, replacement, text)
    return text


def build(addon):
    """The es_419 catalog of an addon: its es.po entries that differ."""
    spanish = polib.pofile(str(addon / "i18n" / "es.po"), wrapwidth=78)
    catalog = polib.POFile(wrapwidth=78)
    catalog.header = spanish.header.replace(
        "the following modules", "the following modules (Latin American terms)"
    )
    catalog.metadata = dict(spanish.metadata, **HEADER_LANGUAGE)
    for entry in spanish.translated_entries():
        latin = to_es_419(entry.msgstr)
        if latin != entry.msgstr:
            catalog.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgstr=latin,
                    msgctxt=entry.msgctxt,
                    occurrences=entry.occurrences,
                    comment=entry.comment,
                    tcomment=entry.tcomment,
                    flags=entry.flags,
                )
            )
    return catalog


def addons():
    return sorted(
        manifest.parent
        for manifest in REPO.glob("*/__manifest__.py")
        if (manifest.parent / "i18n" / "es.po").is_file()
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="*", type=Path, help="addon directories")
    parser.add_argument("--check", action="store_true", help="write nothing")
    args = parser.parse_args(argv)
    stale = []
    for addon in args.addons or addons():
        catalog = build(Path(addon))
        path = Path(addon) / "i18n" / "es_419.po"
        text = str(catalog) + "\n" if len(catalog) else ""
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if text == current:
            continue
        stale.append(path)
        if args.check:
            continue
        if text:
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink()
    for path in stale:
        print(
            f"{path}: {'is out of date' if args.check else 'written'}", file=sys.stderr
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
