#!/usr/bin/env bash
# make format: apply every fixer of .pre-commit-config.yaml to the whole tree
# (prettier and eslint --fix on XML/JS/SCSS, ruff, whitespace and end of
# file, the OCA module checks' automatic fixes, README.rst from readme/,
# i18n/es_419.po from es.po),
# then run all hooks once more to list what is left to fix by hand.
# Needs the tools of .ci/run: pip install -r test-requirements.txt; npm ci.
set -uo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "$0")/common.sh"

mapfile -t ADDONS < <(addons)
if [ ${#ADDONS[@]} -gt 0 ]; then
    # only the fixes that rewrite a line in place (XML header, order of the
    # attributes); the others (eval on numeric fields, <data> nodes) can break
    # a record written on one line, so they are listed below, to do by hand
    oca-checks-odoo-module --fix --no-verbose \
        --enable=xml-header-wrong,xml-tag-position "${ADDONS[@]}" >/dev/null
fi
# a fixer exits 1 when it changed a file: run each until it has nothing to do
for hook in addon-readme es-419-catalogs ruff ruff-format prettier eslint trailing-whitespace \
    end-of-file-fixer mixed-line-ending; do
    for _ in 1 2 3; do
        pre-commit run --all-files "$hook" >/dev/null && break
    done
done
pre-commit run --all-files
