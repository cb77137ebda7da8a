"""Fail when an Odoo install log shows a problem.

Usage: check_install_log.py LOG ADDON_DIR...

A problem is a log record of level ERROR or CRITICAL, or a DeprecationWarning
whose message or traceback goes through one of the given addon directories.
"""

import re
import sys

RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) ")


def records(lines):
    """Group log lines into records: a record is its first line and the
    lines following it that don't start a new record (tracebacks)."""
    record = []
    for line in lines:
        if RECORD_START.match(line) and record:
            yield record
            record = []
        record.append(line)
    if record:
        yield record


def problems(lines, addon_dirs):
    """Yield the problem records, each shortened to its first line and the
    lines that name an addon file."""
    for record in records(lines):
        start = RECORD_START.match(record[0])
        ours = [line for line in record[1:] if any(d in line for d in addon_dirs)]
        if start and start["level"] in ("ERROR", "CRITICAL"):
            yield [record[0], *ours]
        elif "DeprecationWarning" in "".join(record) and (
            ours or any(d in record[0] for d in addon_dirs)
        ):
            yield [record[0], *ours]


def main(log_path, *addon_dirs):
    addon_dirs = [d.rstrip("/") + "/" for d in addon_dirs]
    with open(log_path, encoding="utf-8", errors="replace") as log:
        found = list(problems(log, addon_dirs))
    for record in found:
        sys.stderr.writelines(record)
    if found:
        sys.stderr.write(f"{len(found)} problem(s) in the install log {log_path}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
