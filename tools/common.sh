# shellcheck shell=bash
# Helpers shared by tools/test.sh and tools/demo.sh (sourced, not run).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1

# Every top-level directory holding a __manifest__.py is an addon.
addons() {
    local manifest
    for manifest in */__manifest__.py; do
        [ -e "$manifest" ] && echo "${manifest%/__manifest__.py}"
    done
    return 0
}

# True when Odoo can be imported. HELPDESK_INTAKE_NO_ODOO=1 forces the
# Odoo-free path, to check it on a machine that has Odoo.
odoo_available() {
    [ -z "${HELPDESK_INTAKE_NO_ODOO:-}" ] && python3 -c "import odoo" 2>/dev/null
}

# Odoo's command line, with this repository in the addons path (Odoo adds
# its own addons by itself).
odoo() {
    python3 -m odoo --addons-path="$REPO" "$@"
}

db_exists() {
    [ "$(psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# Start the local PostgreSQL cluster if it is down and give the current user
# a superuser role, as Odoo connects through the local socket under that name.
ensure_postgres() {
    if ! pg_isready -q; then
        if ! command -v pg_lsclusters >/dev/null; then
            echo "PostgreSQL is not running; start it, then run this again." >&2
            return 1
        fi
        local version name _
        read -r version name _ < <(pg_lsclusters --no-header | head -n 1)
        pg_ctlcluster "$version" "$name" start
        local tries=30
        until pg_isready -q; do
            ((--tries)) || { echo "PostgreSQL did not start." >&2; return 1; }
            sleep 1
        done
    fi
    if ! psql -d postgres -Atqc "SELECT 1" >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ]; then
            echo "No PostgreSQL role for $(id -un): sudo -u postgres createuser --superuser $(id -un)" >&2
            return 1
        fi
        runuser -u postgres -- createuser --superuser "$(id -un)"
    fi
}
