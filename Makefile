# Developer commands; see README.md.
.PHONY: demo test

# Serve every addon with demo data on http://localhost:8069 (admin / admin).
demo:
	tools/demo.sh

# Static checks and all tests (with Odoo when python3 can import it).
test:
	tools/test.sh
