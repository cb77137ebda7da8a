#!/usr/bin/env bash
# make demo: serve every addon, with demo data, on http://localhost:8069.
# The database is created on the first run; later runs bring it up to date
# with the addons of the repository, then serve it.
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
ALL=$(IFS=,; echo "${ADDONS[*]}")
# Installs the addons the database lacks and updates the others, so that a
# database from an earlier run serves the current code.
echo "== install or update $ALL in database $DB"
odoo server -d "$DB" -i "$ALL" -u "$ALL" --with-demo --stop-after-init --no-http \
    --log-level=warn

echo "Helpdesk demo: open http://localhost:8069 and log in as admin / admin"
odoo server -d "$DB" --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port=8069
