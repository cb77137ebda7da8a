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
# fixers rewrite what they fix (see the diff printed), `make format` too.
# pylint's optional checks only report (--exit-zero) and take minutes: left
# to pre-commit on commit and to `make format`.
check "pre-commit" env SKIP=pylint-odoo-optional \
    pre-commit run --all-files --show-diff-on-failure --color=never
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

PYTEST_RC=0
python3 -m pytest "${PYTEST_ARGS[@]}" "${TEST_DIRS[@]}" || PYTEST_RC=$?

# The cross-addon Odoo tests of tests/ run under Odoo's own test runner too,
# as an addon's tests would: Odoo collects tests only from the tests package
# of an installed addon, so a throw-away addon depending on every addon of
# the repository imports them (symbolic links), and `--test-tags` selects it.
CROSS_TESTS=()
for path in tests/test_*.py; do
    if grep -qE '^(from|import) odoo' "$path"; then CROSS_TESTS+=("$path"); fi
done
ODOO_RUNNER_RC=0
if odoo_available && [ ${#CROSS_TESTS[@]} -gt 0 ] && [ ${#ADDONS[@]} -gt 0 ]; then
    echo "== Odoo's test runner: ${CROSS_TESTS[*]} (database $DB)"
    CROSS_DIR=$(mktemp -d -t helpdesk_intake_cross.XXXXXX)
    trap 'rm -f "${LOG:-}"; rm -rf "$CROSS_DIR"' EXIT
    CROSS_ADDON=helpdesk_intake_cross_tests
    mkdir -p "$CROSS_DIR/$CROSS_ADDON/tests"
    depends=$(printf '"%s", ' "${ADDONS[@]}")
    cat >"$CROSS_DIR/$CROSS_ADDON/__manifest__.py" <<MANIFEST
{"name": "Cross-addon tests of the repository", "version": "19.0.1.0.0",
 "author": "Helpdesk Intake Contributors", "license": "LGPL-3",
 "depends": [${depends%, }], "installable": True}
MANIFEST
    : >"$CROSS_DIR/$CROSS_ADDON/__init__.py"
    : >"$CROSS_DIR/$CROSS_ADDON/tests/__init__.py"
    for path in "${CROSS_TESTS[@]}"; do
        ln -s "$REPO/$path" "$CROSS_DIR/$CROSS_ADDON/tests/$(basename "$path")"
        echo "from . import $(basename "$path" .py)" >>"$CROSS_DIR/$CROSS_ADDON/tests/__init__.py"
    done
    python3 -m odoo server --addons-path="$REPO,$CROSS_DIR" -d "$DB" -i "$CROSS_ADDON" \
        --test-tags="/$CROSS_ADDON" --http-interface=127.0.0.1 \
        --http-port="${HELPDESK_INTAKE_HTTP_PORT:-8069}" --log-level=warn \
        --log-handler=odoo.tests:INFO --log-handler=odoo.service.server:INFO \
        || ODOO_RUNNER_RC=$?
    [ $ODOO_RUNNER_RC -eq 0 ] || FAILED+=("Odoo's test runner")
fi

if [ ${#FAILED[@]} -gt 0 ]; then
    echo "== failed: ${FAILED[*]}"
fi
[ $PYTEST_RC -eq 0 ] && [ ${#FAILED[@]} -eq 0 ]
