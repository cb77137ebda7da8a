import re

from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open

from ..models.helpdesk_team import PAGE_TEMPLATE, form_input_name

EDITOR_SCRIPT = "helpdesk_intake_website/static/src/js/helpdesk_form_editor.js"


@tagged("post_install", "-at_install")
class TestFormFields(TransactionCase):
    """helpdesk.ticket._website_form_safe_fields() is the one list of the
    fields visitors may write: the whitelist, the editor's fields and the
    page template's inputs are checked against it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.safe = cls.Ticket._website_form_safe_fields()

    def test_whitelist_is_the_safe_fields(self):
        whitelisted = self.env["ir.model.fields"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("website_form_blacklisted", "=", False),
            ]
        )
        self.assertEqual(set(whitelisted.mapped("name")), self.safe)

    def test_authorized_fields_are_the_safe_ones(self):
        # even when a designer whitelisted staff fields by dropping them in a form
        self.env["ir.model.fields"].formbuilder_whitelist(
            "helpdesk.ticket", ["user_id", "priority", "stage_id", "company_id"]
        )
        model = self.env["ir.model"]._get("helpdesk.ticket")
        # the properties come as the posted team's ones (test_form_properties)
        fields = self.safe - {"properties"}
        self.assertEqual(
            set(model.get_authorized_fields("helpdesk.ticket", {})), fields
        )
        self.assertEqual(set(model._get_form_writable_fields()), fields)

    def test_page_template_inputs_are_safe(self):
        arch = etree.fromstring(self.env.ref(PAGE_TEMPLATE).arch)
        (form,) = arch.xpath("//form[@data-model_name='helpdesk.ticket']")
        classes = "concat(' ', normalize-space(@class), ' ')"
        model_field = (
            f"contains({classes}, ' s_website_form_field ')"
            f" and not(contains({classes}, ' s_website_form_custom '))"
        )
        names = {
            form_input_name(node.get("name"))
            for node in form.xpath(f".//*[{model_field}]//*[@name]")
        }
        self.assertTrue(names)
        self.assertLessEqual(names, self.safe)
        # inputs outside the model's fields (custom ones, the honeypot) are
        # no ticket field
        others = {node.get("name") for node in form.xpath(".//*[@name]")} - names
        self.assertFalse(others & set(self.Ticket._fields))

    def test_editor_fields_are_safe(self):
        with file_open(EDITOR_SCRIPT) as script:
            source = script.read()
        form_fields = source[source.index("formFields:") : source.index("successPage")]
        names = {
            re.search(r'\bname: "(\w+)"', field).group(1)
            for field in re.findall(r"\{[^{}]*\}", form_fields)
            if not re.search(r"\bcustom: true\b", field)
        }
        self.assertTrue(names)
        self.assertLessEqual(names, self.safe)
