#!/usr/bin/env bash
# make demo: serve every addon, with demo data, on http://localhost:8069.
# The database is created on the first run; later runs install only the
# addons it does not have yet, then serve it.
set -euo pipefail
# shellcheck source=tools/common.sh
source "$(dirname "$0")/common.sh"

DB=helpdesk_demo

if ! odoo_available; then
    echo "Odoo 19 is not importable by python3: install it first." >&2
    exit 1
fi
ensure_postgres

mapfile -t ADDONS < <(addons)
INSTALLED=()
if db_exists "$DB"; then
    mapfile -t INSTALLED < <(psql -d "$DB" -Atqc \
        "SELECT name FROM ir_module_module WHERE state = 'installed'")
fi
MISSING=$(comm -23 <(printf '%s\n' "${ADDONS[@]}" | sort) \
    <(printf '%s\n' "${INSTALLED[@]}" | sort) | paste -sd, -)

if [ -n "$MISSING" ]; then
    echo "== install $MISSING in database $DB"
    odoo server -d "$DB" -i "$MISSING" --with-demo --stop-after-init --no-http \
        --log-level=warn
fi

echo "Helpdesk demo: open http://localhost:8069 and log in as admin / admin"
odoo server -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port=8069
