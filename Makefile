# Developer commands; see README.md.
.PHONY: demo format test

# Serve every addon with demo data on http://localhost:8069 (admin / admin).
demo:
	tools/demo.sh

# Apply the formatters and fixers of .pre-commit-config.yaml to every file.
format:
	tools/format.sh

# Static checks and all tests (with Odoo when python3 can import it).
test:
	tools/test.sh
