#!/usr/bin/env bash
# make test: static checks, then the tests. With Odoo importable, every addon
# is installed in a fresh database and all tests run against it; without
# Odoo, the Odoo-free tests run and the Odoo test modules are skipped.
# A failed static check does not stop the tests, but fails the run.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "$0")/common.sh"

DB=helpdesk_intake_test

mapfile -t ADDONS < <(addons)
TEST_DIRS=(tests)
for addon in "${ADDONS[@]}"; do
    if [ -d "$addon/tests" ]; then TEST_DIRS+=("$addon/tests"); fi
done

FAILED=()
check() {
    local name=$1
    shift
    echo "== $name"
    "$@" || FAILED+=("$name")
}

# every hook of .pre-commit-config.yaml (ruff, pylint-odoo, the OCA checks,
# prettier, eslint, README.rst, whitespace) on every file git tracks; its
# fixers rewrite what they fix (see the diff printed), `make format` too
check "pre-commit" pre-commit run --all-files --show-diff-on-failure --color=never
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "== failed: ${FAILED[*]}; the tests run all the same"
fi

if odoo_available; then
    ensure_postgres
    if db_exists "$DB"; then
        dropped=$(odoo db drop "$DB" 2>&1) || { echo "$dropped" >&2; exit 1; }
    fi

    if [ ${#ADDONS[@]} -gt 0 ]; then
        echo "== install ${ADDONS[*]} in database $DB"
        LOG=$(mktemp -t "$DB.XXXXXX.log")
        trap 'rm -f "$LOG"' EXIT
        odoo server -d "$DB" -i "$(IFS=,; echo "${ADDONS[*]}")" --without-demo=True \
            --stop-after-init --no-http --log-level=warn 2>&1 | tee "$LOG"
        python3 tools/check_install_log.py "$LOG" "${ADDONS[@]/#/$REPO/}"
    fi

    echo "== pytest (with Odoo, database $DB)"
    PYTEST_ARGS=(--odoo-database="$DB" --odoo-addons-path="$REPO" --odoo-http
        --odoo-extra=http-interface=127.0.0.1)
else
    echo "== pytest (without Odoo)"
    PYTEST_ARGS=(-p no:odoo)
fi

python3 -m pytest "${PYTEST_ARGS[@]}" "${TEST_DIRS[@]}"
[ ${#FAILED[@]} -eq 0 ]
