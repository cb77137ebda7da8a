#!/usr/bin/env python3
"""Write each addon's README.rst from its readme/*.md fragments and manifest.

The readme/ fragments are the one source of an addon's documentation; the
README.rst that Odoo's Apps screen, PyPI and the repository show is made
from them, in the layout of the Odoo Community Association's
oca-gen-addon-readme: title, badges, description, table of contents, then
Installation, Configuration, Usage, ... and Credits.

    python3 tools/gen_addon_readme.py            # every addon of the repository
    python3 tools/gen_addon_readme.py ADDON_DIR  # some of them
    python3 tools/gen_addon_readme.py --check    # exit 1 if a README.rst is stale

The fragments are written in the part of Markdown that maps to
reStructuredText one to one: paragraphs, "-" and "1." lists (continuation
lines indented under the text), code blocks (indented by four spaces, or
fenced with ```), and inline `code`, *emphasis*, **strong** and
[links](https://...). Anything else (headings, tables, HTML) is refused, so
that the README.rst never differs from what the author wrote.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (fragment, section title), in the order of oca-gen-addon-readme
SECTIONS = (
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
)
CREDITS = (("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits"))
FRAGMENTS = {"DESCRIPTION"} | {name for name, _ in SECTIONS + CREDITS}

LICENSE_BADGES = {
    "AGPL-3": ("AGPL--3", "http://www.gnu.org/licenses/agpl-3.0-standalone.html"),
    "LGPL-3": ("LGPL--3", "http://www.gnu.org/licenses/lgpl-3.0-standalone.html"),
    "GPL-3": ("GPL--3", "http://www.gnu.org/licenses/gpl-3.0-standalone.html"),
}
MATURITY_BADGES = {
    "alpha": ("Alpha", "red"),
    "beta": ("Beta", "yellow"),
    "production/stable": ("Production%2FStable", "green"),
    "mature": ("Mature", "brightgreen"),
}

INLINE_CODE = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```")
UNSUPPORTED = (
    (re.compile(r"^#{1,6}\s"), "headings (the sections come from the file names)"),
    (re.compile(r"^\s*\|.*\|\s*$"), "tables"),
    (re.compile(r"^\s*<[a-zA-Z!/]"), "HTML"),
    (re.compile(r"^\s*[*+]\s"), 'list items other than "- "'),
)


class FragmentError(ValueError):
    """A fragment uses Markdown that has no one-to-one reStructuredText."""


def inline(text):
    """Markdown inline markup to reStructuredText (code spans untouched)."""
    parts = INLINE_CODE.split(text)
    for index in range(0, len(parts), 2):
        parts[index] = LINK.sub(r"`\1 <\2>`__", parts[index])
    for index in range(1, len(parts), 2):
        parts[index] = f"``{parts[index]}``"
    return "".join(parts)


def markdown_to_rst(markdown, source="fragment"):
    """Convert a readme fragment; raise FragmentError on unsupported syntax."""
    out = []
    lines = markdown.expandtabs(4).splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].rstrip()
        if FENCE.match(line):
            end = index + 1
            while end < len(lines) and not FENCE.match(lines[end]):
                end += 1
            if end == len(lines):
                raise FragmentError(f"{source}:{index + 1}: unclosed ``` block")
            literal(out, [text.rstrip() for text in lines[index + 1 : end]])
            index = end + 1
            continue
        previous_blank = not out or not out[-1]
        if line.startswith("    ") and previous_blank and not in_list(out):
            end = index
            block = []
            while end < len(lines) and (
                lines[end].startswith("    ") or not lines[end].strip()
            ):
                block.append(lines[end].rstrip()[4:])
                end += 1
            while block and not block[-1]:
                block.pop()
            literal(out, block)
            index = end
            continue
        for pattern, what in UNSUPPORTED:
            if pattern.match(line):
                raise FragmentError(f"{source}:{index + 1}: {what} are not supported")
        out.append(inline(line))
        index += 1
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def in_list(out):
    """True when the last paragraph written is a list (its items indent)."""
    for line in reversed(out[:-1] if out and not out[-1] else out):
        if not line:
            return False
        if re.match(r"^(- |\d+\. )", line):
            return True
    return False


def literal(out, block):
    """A literal block: "::" alone (docutils drops it) then the lines."""
    if out and out[-1]:
        out.append("")
    out.extend(["::", ""])
    out.extend(f"    {text}" if text else "" for text in block)
    out.append("")


def read_manifest(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def read_fragments(addon):
    fragments = {}
    readme = addon / "readme"
    for path in sorted(readme.glob("*")) if readme.is_dir() else ():
        name = path.stem.upper()
        if path.suffix != ".md" or name not in FRAGMENTS:
            raise FragmentError(
                f"{path.relative_to(REPO)}: expected one of "
                + ", ".join(sorted(f"{fragment}.md" for fragment in FRAGMENTS))
            )
        text = path.read_text(encoding="utf-8")
        if text.strip():
            fragments[name] = markdown_to_rst(text, str(path.relative_to(REPO)))
    if "DESCRIPTION" not in fragments:
        raise FragmentError(f"{addon.name}: readme/DESCRIPTION.md is missing")
    return fragments


def title(text, underline, overline=False):
    rule = underline * len(text)
    return [rule, text, rule] if overline else [text, rule]


def badges(manifest):
    found = []
    status = manifest.get("development_status", "").lower()
    if status in MATURITY_BADGES:
        label, color = MATURITY_BADGES[status]
        found.append(
            (
                f"https://img.shields.io/badge/maturity-{label}-{color}.png",
                "https://odoo-community.org/page/development-status",
                manifest["development_status"],
            )
        )
    if manifest.get("license") in LICENSE_BADGES:
        label, target = LICENSE_BADGES[manifest["license"]]
        found.append(
            (
                f"https://img.shields.io/badge/license-{label}-blue.png",
                target,
                f"License: {manifest['license']}",
            )
        )
    return found


def render(addon):
    """The README.rst of an addon directory, as text."""
    addon = Path(addon).resolve()
    manifest = read_manifest(addon)
    fragments = read_fragments(addon)
    lines = title(manifest["name"], "=", overline=True)
    lines += [
        "",
        "..",
        "   This file is generated by tools/gen_addon_readme.py from the",
        "   addon's readme/*.md and __manifest__.py: edit those, then run",
        "   `make format` (or the script); changes made here are overwritten.",
        "",
    ]
    found = badges(manifest)
    for number, (image, target, alt) in enumerate(found, start=1):
        lines += [
            f".. |badge{number}| image:: {image}",
            f"    :target: {target}",
            f"    :alt: {alt}",
        ]
    if found:
        lines += ["", " ".join(f"|badge{n}|" for n in range(1, len(found) + 1)), ""]
    lines += [fragments["DESCRIPTION"]]
    lines += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for name, heading in SECTIONS:
        if name in fragments:
            lines += title(heading, "=") + ["", fragments[name]]
    lines += title("Credits", "=") + [""]
    authors = [
        author.strip()
        for author in manifest.get("author", "").split(",")
        if author.strip()
    ]
    if authors:
        lines += title("Authors", "-") + [""]
        lines += [f"- {author}" for author in authors] + [""]
    for name, heading in CREDITS:
        if name in fragments:
            lines += title(heading, "-") + ["", fragments[name]]
    website = manifest.get("website", "").rstrip("/")
    if website:
        lines += title("Maintainers", "-") + [""]
        project = website.rsplit("/", 1)[-1]
        lines += [f"This module is part of the `{project} <{website}>`_ project.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def addons():
    return sorted(manifest.parent for manifest in REPO.glob("*/__manifest__.py"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="*", type=Path, help="addon directories")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if one is stale"
    )
    args = parser.parse_args(argv)
    stale = []
    for addon in args.addons or addons():
        try:
            text = render(addon)
        except FragmentError as error:
            print(error, file=sys.stderr)
            return 2
        readme = Path(addon) / "README.rst"
        if readme.is_file() and readme.read_text(encoding="utf-8") == text:
            continue
        stale.append(readme)
        if not args.check:
            readme.write_text(text, encoding="utf-8")
    for readme in stale:
        verb = "is out of date" if args.check else "written"
        print(f"{readme}: {verb}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
