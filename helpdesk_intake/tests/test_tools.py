from odoo.tests import BaseCase, tagged

from odoo.addons.helpdesk_intake.tools import (
    client_network,
    forwarded_sender,
    header_text,
    is_automated_sender,
    is_known_charset,
    message_bytes,
    neutralize_display_name,
    raw_headers,
    raw_recipients,
    subject_references,
)


@tagged("post_install", "-at_install", "helpdesk_intake", "security")
class TestClientNetwork(BaseCase):
    def test_ipv4_is_the_address(self):
        for address in ("203.0.113.7", "127.0.0.1", "10.0.0.1", "255.255.255.255"):
            with self.subTest(address=address):
                self.assertEqual(client_network(address), address)
        self.assertNotEqual(client_network("10.0.0.1"), client_network("10.0.0.2"))

    def test_ipv6_is_its_64(self):
        cases = [
            ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
            ("2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
            ("2001:DB8:1:2::ABCD", "2001:db8:1:2::/64"),
            ("2001:db8::", "2001:db8::/64"),
            ("::1", "::/64"),
            ("fe80::1%eth0", "fe80::/64"),
            ("fe80::aa:bb%2", "fe80::/64"),
        ]
        for address, network in cases:
            with self.subTest(address=address):
                self.assertEqual(client_network(address), network)

    def test_ipv6_same_64_same_key(self):
        same = [
            "2001:db8:1:2::1",
            "2001:db8:1:2::2",
            "2001:db8:1:2:dead:beef:0:1",
            "2001:0db8:0001:0002:ffff:0000:0000:0000",
        ]
        self.assertEqual(len({client_network(address) for address in same}), 1)
        for other in ("2001:db8:1:3::1", "2001:db8:2:2::1", "2001:db9:1:2::1"):
            with self.subTest(other=other):
                self.assertNotEqual(
                    client_network(other), client_network("2001:db8:1:2::1")
                )

    def test_ipv4_mapped_ipv6_is_the_ipv4(self):
        for address in ("::ffff:1.2.3.4", "::FFFF:1.2.3.4", "::ffff:102:304"):
            with self.subTest(address=address):
                self.assertEqual(client_network(address), "1.2.3.4")
        self.assertEqual(
            client_network("::ffff:203.0.113.7"), client_network("203.0.113.7")
        )
        self.assertNotEqual(
            client_network("::ffff:1.2.3.4"), client_network("::ffff:1.2.3.5")
        )

    def test_garbage_is_empty(self):
        for garbage in (
            "",
            None,
            "localhost",
            "not an address",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.4/24",
            "2001:db8::/64",
            "2001:db8::g",
            "2001:db8:::1",
            "1.2.3.4\n5.6.7.8",
            "1.2.3.4, 5.6.7.8",
            "%eth0",
        ):
            with self.subTest(garbage=garbage):
                self.assertEqual(client_network(garbage), "")


@tagged("post_install", "-at_install", "helpdesk_intake", "security")
class TestNeutralizeDisplayName(BaseCase):
    def test_address_specials_become_spaces(self):
        cases = [
            ("Eve <eve@evil.test>", "Eve eve evil.test"),
            ('"Boss" <boss@mycompany.test>', "Boss boss mycompany.test"),
            ("a,b;c", "a b c"),
            ("Jane, Otto <otto@elsewhere.test>", "Jane Otto otto elsewhere.test"),
            ("x@y", "x y"),
            ('<>@,;"', ""),
            ("  Jane   Doe  ", "Jane Doe"),
            ('Jane"; bcc=<all@test>', "Jane bcc= all test"),
        ]
        for name, expected in cases:
            with self.subTest(name=name):
                self.assertEqual(neutralize_display_name(name), expected)

    def test_control_characters_become_spaces(self):
        cases = [
            ("Jane\r\nBcc: all@corp.test", "Jane Bcc: all corp.test"),
            ("Jane\nDoe", "Jane Doe"),
            ("Jane\rDoe", "Jane Doe"),
            ("Jane\tDoe", "Jane Doe"),
            ("Jane\x00Doe", "Jane Doe"),
            ("Jane\x0bDoe\x0c", "Jane Doe"),
            ("Jane\x1b[31mDoe", "Jane [31mDoe"),
            ("Jane\x7fDoe", "Jane Doe"),
            ("Jane\x85Doe", "Jane Doe"),
            ("Jane\x9bDoe", "Jane Doe"),
            ("\x00\x01\x1f", ""),
            ("\r\n", ""),
        ]
        for name, expected in cases:
            with self.subTest(name=repr(name)):
                self.assertEqual(neutralize_display_name(name), expected)

    def test_plain_names_unchanged(self):
        for name in (
            "Jane Doe",
            "José Müller-Lüdenscheidt",
            "Zoë O'Brien",
            "日本 太郎",
            "Ελένη Παπαδοπούλου",
            "Дмитрий",
            "محمد",
            "Jane D. Smith Jr.",
            "Jean-Luc",
        ):
            with self.subTest(name=name):
                self.assertEqual(neutralize_display_name(name), name)

    def test_empty(self):
        for name in ("", None, "   "):
            with self.subTest(name=name):
                self.assertEqual(neutralize_display_name(name), "")


@tagged("post_install", "-at_install", "helpdesk_intake", "mail_gateway")
class TestMailTools(BaseCase):
    def test_header_text_decodes_and_survives_garbage(self):
        self.assertEqual(header_text("=?utf-8?q?Caf=C3=A9?="), "Café")
        self.assertEqual(header_text("=?x-unknown?q?abc?="), "=?x-unknown?q?abc?=")

    def test_raw_recipients_most_precise_first(self):
        headers = raw_headers(
            b"Delivered-To: Help@Example.com\r\nTo: Other <other@example.com>\r\n"
            b"Cc: a@example.com, b@example.com\r\n\r\nbody"
        )
        self.assertEqual(
            raw_recipients(headers),
            ["help@example.com", "other@example.com", "a@example.com", "b@example.com"],
        )

    def test_automated_senders(self):
        for email in ("mailer-daemon@x.test", "no-reply@x.test", "bounces+1@x.test"):
            with self.subTest(email=email):
                self.assertTrue(is_automated_sender(email))
        self.assertFalse(is_automated_sender("noreen@x.test"))
        self.assertFalse(is_automated_sender(""))

    def test_subject_references(self):
        self.assertEqual(subject_references("Re: [#12] and #34x #56"), ["12", "56"])
        self.assertEqual(subject_references(None), [])

    def test_forwarded_sender(self):
        body = (
            "<p>FYI</p><p>---------- Forwarded message ---------<br>"
            "From: Carla Customer &lt;carla@customer.test&gt;<br>Subject: Hi</p>"
        )
        self.assertEqual(
            forwarded_sender(body), '"Carla Customer" <carla@customer.test>'
        )
        self.assertFalse(forwarded_sender("<p>From: carla@customer.test</p>"))

    def test_message_bytes_and_charsets(self):
        self.assertEqual(message_bytes("abc"), b"abc")
        self.assertEqual(message_bytes(b"abc"), b"abc")
        self.assertTrue(is_known_charset("latin-1"))
        self.assertFalse(is_known_charset("x-no-such-charset"))
