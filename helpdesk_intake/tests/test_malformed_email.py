import base64

from odoo.tests import tagged

from .common import HelpdeskIntakeCommon

# the first bytes of a PDF, where a relay cut the email
PDF_START = base64.b64decode(
    "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k"
)


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestMalformedEmail(HelpdeskIntakeCommon):
    def _assert_one_ticket(self, tickets):
        self.assertEqual(len(tickets), 1)
        self.assertEqual(tickets.team_id, self.team)
        self.assertEqual(tickets.intake_channel, "email")
        self.assertTrue(tickets.name)
        return tickets

    def test_no_subject_title_from_body(self):
        ticket = self._assert_one_ticket(
            self.deliver(
                subject=None,
                body="\n\n  The scanner is jammed  \nsince yesterday.\n",
            )
        )
        self.assertEqual(ticket.name, "The scanner is jammed")

    def test_no_subject_long_first_line_truncated(self):
        ticket = self._assert_one_ticket(self.deliver(subject=None, body="word " * 60))
        self.assertLessEqual(len(ticket.name), 80)
        self.assertTrue(ticket.name.startswith("word word"))

    def test_no_subject_no_body(self):
        ticket = self._assert_one_ticket(self.deliver(subject=None, body=""))
        self.assertIn("Email from", ticket.name)
        self.assertIn("chuck@customer.test", ticket.name)
        self.assertEqual(ticket.partner_id, self.customer)

    def test_blank_subject_title_from_body(self):
        ticket = self._assert_one_ticket(
            self.deliver(subject="   ", body="Blank subject line")
        )
        self.assertEqual(ticket.name, "Blank subject line")

    def test_empty_body(self):
        ticket = self._assert_one_ticket(
            self.deliver(subject="Nothing inside", body="")
        )
        self.assertEqual(ticket.name, "Nothing inside")
        self.assertEqual(ticket.partner_id, self.customer)

    def test_unknown_charset(self):
        ticket = self._assert_one_ticket(
            self.deliver(
                charset="x-unknown",
                subject="Unknown charset",
                body="Plain ascii words survive.",
            )
        )
        # a regular ticket: the text is readable whatever the declared charset
        self.assertEqual(ticket.name, "Unknown charset", "not set aside as unreadable")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertIn("Plain ascii words survive", ticket.description or "")

    def test_wrong_declared_charset_latin1_bytes(self):
        # declared utf-8, sent as latin-1: invalid utf-8 sequences in the body
        ticket = self._assert_one_ticket(
            self.deliver(
                subject="Wrong charset",
                body="Caf\xe9 cr\xe8me: the r\xe9sum\xe9 printer is broken.",
                encoding="latin-1",
            )
        )
        self.assertEqual(ticket.name, "Wrong charset")
        self.assertIn("printer is broken", ticket.description or "")

    def test_broken_mime_no_closing_boundary(self):
        ticket = self._assert_one_ticket(
            self.deliver(
                subject="Truncated email",
                body="The first part made it.",
                attachments=[("invoice.pdf", PDF_START, "application/pdf")],
                truncated=True,
            )
        )
        self.assertEqual(ticket.name, "Truncated email")
        self.assertIn("The first part made it", ticket.description or "")

    def test_huge_body(self):
        line = "This line repeats to make a two megabyte body. 0123456789\n"
        body = line * (2 * 1024 * 1024 // len(line) + 1)
        self.assertGreater(len(body), 2 * 1024 * 1024)
        ticket = self._assert_one_ticket(self.deliver(subject="Huge body", body=body))
        self.assertEqual(ticket.name, "Huge body")
        self.assertIn("This line repeats", ticket.description)

    def test_empty_and_large_attachments(self):
        large = bytes(range(256)) * (5 * 1024 * 1024 // 256)
        msg_id = self.new_msg_id()
        ticket = self._assert_one_ticket(
            self.deliver(
                msg_id=msg_id,
                subject="Attachments of all sizes",
                attachments=[("empty.txt", b"", "text/plain"), ("dump.bin", large)],
            )
        )
        attachments = self.incoming_message(msg_id).attachment_ids
        self.assertEqual(sorted(attachments.mapped("name")), ["dump.bin", "empty.txt"])
        dump = attachments.filtered(lambda a: a.name == "dump.bin")
        self.assertEqual(dump.file_size, len(large))
        self.assertEqual(dump.raw, large)
        self.assertEqual(dump.res_id, ticket.id)
        empty = attachments.filtered(lambda a: a.name == "empty.txt")
        self.assertFalse(empty.raw)
