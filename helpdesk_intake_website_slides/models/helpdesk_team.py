from odoo import fields, models
from odoo.fields import Domain
from odoo.tools import html2plaintext


class HelpdeskTeam(models.Model):
    _name = "helpdesk.team"
    _inherit = "helpdesk.team"

    website_slide_channel_ids = fields.Many2many(
        "slide.channel",
        string="Courses",
        domain="[('website_id', 'in', [False, website_id])]",
        help="Courses whose lessons answer the team's customers: the team's help "
        "page searches them.",
    )

    def _help_public_courses(self):
        """The team's courses that every visitor of its website sees."""
        self.ensure_one()
        # sudo: slide.channel - whether the courses are public, whoever asks
        return self.website_slide_channel_ids.sudo().filtered(
            lambda course: (
                course.is_published
                and course.visibility == "public"
                and (not course.website_id or course.website_id == self.website_id)
            )
        )

    def _help_sources(self):
        sources = super()._help_sources()
        if self._help_public_courses():
            sources["courses"] = self.env._("Courses")
        return sources

    def _help_course_domains(self, user):
        """(courses, lessons) domains of the team's courses ``user`` may
        search: public and published ones, on the team's website."""
        courses = self._help_public_courses().ids
        course = Domain("id", "in", courses) & Domain("is_published", "=", True)
        lesson = (
            Domain("channel_id", "in", courses)
            & Domain("is_published", "=", True)
            & Domain("is_category", "=", False)
        )
        return course, lesson

    def _help_search_courses(self, user, words, date_from, limit):
        """The team's courses and their lessons holding every word of
        ``words`` in their title or description."""
        course_domain, lesson_domain = self._help_course_domains(user)
        for word in words:
            text = Domain("name", "ilike", word) | Domain("description", "ilike", word)
            course_domain &= text
            lesson_domain &= text
        if date_from:
            course_domain &= Domain("create_date", ">=", date_from)
            lesson_domain &= Domain("date_published", ">=", date_from)
        Course = self.env["slide.channel"].with_user(user)
        Lesson = self.env["slide.slide"].with_user(user)
        order = "create_date desc, id desc"
        courses = Course.search(course_domain, limit=limit, order=order)
        lessons = Lesson.search(
            lesson_domain, limit=limit, order="date_published desc, id desc"
        )
        count = (
            Course.search_count(course_domain)
            if len(courses) == limit
            else len(courses)
        ) + (
            Lesson.search_count(lesson_domain)
            if len(lessons) == limit
            else len(lessons)
        )
        results = [
            {
                "name": course.name,
                "url": course.website_url,
                "summary": html2plaintext(course.description_short or ""),
                "date": course.create_date,
            }
            for course in courses
        ]
        results += [
            {
                "name": lesson.name,
                "url": lesson.website_url,
                "summary": lesson.channel_id.name,
                "date": lesson.date_published or lesson.create_date,
            }
            for lesson in lessons
        ]
        return results, count

    def _help_suggest_courses(self, user, words, limit):
        course_domain, lesson_domain = self._help_course_domains(user)
        every, some = self._help_title_domains(words)
        title = some if len(words) > 1 else every
        courses = (
            self.env["slide.channel"]
            .with_user(user)
            .search(course_domain & title, limit=limit)
        )
        lessons = (
            self.env["slide.slide"]
            .with_user(user)
            .search(lesson_domain & title, limit=limit)
        )
        return [
            {"name": record.name, "url": record.website_url}
            for records in (courses, lessons)
            for record in records
        ][:limit]
