#!/usr/bin/env python3
"""Deliver one email from a mail transfer agent to the Odoo helpdesk.

Reads the raw email from standard input, as bytes (8-bit mail in any
charset passes unchanged), and posts it to ``/helpdesk/mailgate`` of the
Odoo server with the database's mail gateway secret (the system parameter
``helpdesk_intake.mailgate_secret``). Python 3 standard library only.

    helpdesk_mailgate.py --url http://127.0.0.1:8069 --database DB \\
        --secret-file /etc/odoo/helpdesk-mailgate.secret

The secret may also come from the environment variable
HELPDESK_MAILGATE_SECRET (never from the command line, which other local
users can read). Postfix, in master.cf:

    helpdesk  unix  -  n  n  -  -  pipe
      flags=Rq user=odoo argv=/path/to/helpdesk_mailgate.py
      --url http://127.0.0.1:8069 --database DB
      --secret-file /etc/odoo/helpdesk-mailgate.secret

Exit status (sysexits.h), which tells the transfer agent what to do:

    0   kept: a ticket, a reply, an unprocessable email kept for review,
        a duplicate or a mail loop dropped on purpose
    65  EX_DATAERR: refused for good (empty, too large, not for the
        helpdesk); the transfer agent bounces it
    75  EX_TEMPFAIL: Odoo unreachable, timed out, or failed (5xx);
        the transfer agent keeps it queued and retries
    77  EX_NOPERM: wrong secret
    64  EX_USAGE: wrong command line or no secret
"""

import argparse
import os
import sys
import urllib.error
import urllib.request

EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_TEMPFAIL = 75
EX_NOPERM = 77
PERMANENT_REFUSALS = {
    400: EX_DATAERR,
    413: EX_DATAERR,
    422: EX_DATAERR,
    401: EX_NOPERM,
    403: EX_NOPERM,
}
SECRET_VARIABLE = "HELPDESK_MAILGATE_SECRET"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write(f"helpdesk_mailgate: {message}\n")
        sys.exit(EX_USAGE)


def parse_arguments(argv):
    parser = _Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069", help="Odoo URL")
    parser.add_argument("--database", help="database name (X-Odoo-Database)")
    parser.add_argument("--secret-file", help="file holding the gateway secret")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds to wait for Odoo"
    )
    return parser.parse_args(argv)


def read_secret(arguments):
    if arguments.secret_file:
        with open(arguments.secret_file, encoding="utf-8") as secret_file:
            return secret_file.read().strip()
    return os.environ.get(SECRET_VARIABLE, "").strip()


def deliver(raw, arguments, secret):
    """Post ``raw``; return the exit status and a line for the log."""
    headers = {
        "Authorization": f"Bearer {secret}",
        "Content-Type": "message/rfc822",
    }
    if arguments.database:
        headers["X-Odoo-Database"] = arguments.database
    request = urllib.request.Request(
        arguments.url.rstrip("/") + "/helpdesk/mailgate",
        data=raw,
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=arguments.timeout) as response:
            return EX_OK, response.read().decode(errors="replace").strip()
    except urllib.error.HTTPError as error:
        answer = error.read().decode(errors="replace").strip()[:500]
        status = PERMANENT_REFUSALS.get(error.code, EX_TEMPFAIL)
        return status, f"HTTP {error.code}: {answer}"
    except (urllib.error.URLError, OSError) as error:
        # refused, unreachable, timed out, reset: worth trying again
        return EX_TEMPFAIL, f"Odoo unreachable: {error}"


def main(argv=None):
    arguments = parse_arguments(argv)
    try:
        secret = read_secret(arguments)
    except OSError as error:
        sys.stderr.write(f"helpdesk_mailgate: {error}\n")
        return EX_USAGE
    if not secret:
        sys.stderr.write(
            f"helpdesk_mailgate: no secret (--secret-file or {SECRET_VARIABLE})\n"
        )
        return EX_USAGE
    raw = sys.stdin.buffer.read()
    if not raw.strip():
        sys.stderr.write("helpdesk_mailgate: empty email\n")
        return EX_DATAERR
    status, line = deliver(raw, arguments, secret)
    if status != EX_OK:
        sys.stderr.write(f"helpdesk_mailgate: {line}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
