from odoo.tests import tagged

from .common import (
    EMAIL_BROKEN_MIME,
    EMAIL_MIXED,
    EMAIL_NO_SUBJECT,
    EMAIL_UNKNOWN_CHARSET,
    EMAIL_WRONG_CHARSET,
    HelpdeskIntakeCommon,
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
                template=EMAIL_NO_SUBJECT,
                body="\n\n  The scanner is jammed  \nsince yesterday.\n",
            )
        )
        self.assertEqual(ticket.name, "The scanner is jammed")

    def test_no_subject_long_first_line_truncated(self):
        ticket = self._assert_one_ticket(
            self.deliver(template=EMAIL_NO_SUBJECT, body="word " * 60)
        )
        self.assertLessEqual(len(ticket.name), 80)
        self.assertTrue(ticket.name.startswith("word word"))

    def test_no_subject_no_body(self):
        ticket = self._assert_one_ticket(
            self.deliver(template=EMAIL_NO_SUBJECT, body="")
        )
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
                template=EMAIL_UNKNOWN_CHARSET,
                subject="Unknown charset",
                body="Plain ascii words survive.",
            )
        )
        # a regular ticket: the text is readable whatever the declared charset
        self.assertEqual(ticket.name, "Unknown charset", "not set aside as unreadable")
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertIn("Plain ascii words survive", ticket.description or "")

    def test_wrong_declared_charset_latin1_bytes(self):
        raw = self.build_email(
            template=EMAIL_WRONG_CHARSET,
            subject="Wrong charset",
            body="Caf\xe9 cr\xe8me: the r\xe9sum\xe9 printer is broken.",
        ).encode("latin-1")
        ticket = self._assert_one_ticket(self.process(raw))
        self.assertEqual(ticket.name, "Wrong charset")
        self.assertIn("printer is broken", ticket.description or "")

    def test_broken_mime_no_closing_boundary(self):
        ticket = self._assert_one_ticket(
            self.deliver(
                template=EMAIL_BROKEN_MIME,
                subject="Truncated email",
                body="The first part made it.",
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
                template=EMAIL_MIXED,
                msg_id=msg_id,
                subject="Attachments of all sizes",
                attachments=self.attachment_part("empty.txt", b"", "text/plain")
                + self.attachment_part("dump.bin", large),
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
