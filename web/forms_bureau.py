"""The bureau workspace's forms (Flask-WTF: a CSRF token on each). Chinese msgids, translated lazily."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from jobs_ingest.clock import china_today
from web.i18n import month_name
from web.schemas import COMMUTE_KM

TYPE_CHOICES = [("", _l("不限/未说明")), ("full_time", _l("全职")), ("part_time", _l("兼职")),
                ("day_labour", _l("日结/临时")), ("seasonal", _l("季节工"))]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VacancyForm(FlaskForm):
    """A vacancy as a bureau posts it."""

    title = StringField(_l("岗位名称"), validators=[DataRequired(_l("请填写岗位名称。")),
                                                  Length(max=120, message=_l("岗位名称最多120字。"))])
    employer = StringField(_l("用人单位"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("工作地点（本县，写到乡镇更好）"),
                        validators=[DataRequired(_l("请填写工作地点。")), Length(max=100)])
    pay = StringField(_l("月薪（元，例如：4500-6000、6千、5000元以上、面议）"),
                      validators=[Optional(), Length(max=100)])
    housing = BooleanField(_l("包住"))
    meals = BooleanField(_l("包吃"))
    employment_type = SelectField(_l("用工形式"), choices=TYPE_CHOICES, default="")
    headcount = IntegerField(_l("招聘人数"), validators=[
        Optional(), NumberRange(min=1, max=10_000, message=_l("招聘人数要在1到10000之间。"))])
    deadline = DateField(_l("截止日期"), validators=[Optional()])
    requirements = TextAreaField(_l("岗位要求"), validators=[Optional(), Length(max=5000)])

    def validate_pay(self, field: Any) -> None:
        """Pay the upload's parser can read (the same spellings in both)."""
        from web.services.bureau import TYPE_WORDS, pay_problem

        context = f"{self.title.data or ''} {TYPE_WORDS.get(self.employment_type.data or '', '')} " \
                  f"{self.requirements.data or ''}"
        problem = pay_problem(field.data or "", context) if (field.data or "").strip() else None
        if problem:
            raise ValidationError(problem)

    def validate_deadline(self, field: Any) -> None:
        """A new deadline is not in the past (in China)."""
        if field.data is not None and field.data < china_today():
            raise ValidationError(_l("截止日期已经过了。"))


class CloseForm(FlaskForm):
    """Close a vacancy (a button with the CSRF token)."""


class ImportForm(FlaskForm):
    """One spreadsheet to import."""

    file = FileField(_l("选择文件（XLSX、XLS 或 CSV，最大 5 MB）"),
                     validators=[FileRequired(_l("请选择要导入的文件。"))])


MONTH_CHOICES = [(m, LazyString(month_name, m)) for m in range(1, 13)]  # "5月" / "May"


class WorkerForm(FlaskForm):
    """Assisted registration: a clerk fills in a worker's profile with their consent."""

    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=100)])
    phone = StringField(_l("手机号（可不填）"), validators=[
        Optional(), Regexp(r"^1\d{10}$", message=_l("手机号是11位数字。"))])
    description = TextAreaField(_l("会做什么（用本人的话）"), validators=[
        DataRequired(_l("请说说会做什么。")), Length(max=500, message=_l("最多500字。"))])
    place = StringField(_l("家在哪里（本县，写到乡镇）"),
                        validators=[DataRequired(_l("请填写家在哪里。")), Length(max=100)])
    village = StringField(_l("村/组"), validators=[Optional(), Length(max=100)])
    km = SelectField(_l("能走多远"), default=20, coerce=int,
                     choices=[(k, _l("%(km)s 公里以内", km=k)) for k in COMMUTE_KM],
                     validate_choice=True)
    relocate = BooleanField(_l("愿意外出，包住就行"))
    wage = IntegerField(_l("期望月薪（元，可不填）"), validators=[
        Optional(), NumberRange(min=0, max=200_000, message=_l("期望月薪要在0到200000元之间。"))])
    months = MultiCheckboxField(_l("哪些月份不能干活（农忙等）"), choices=MONTH_CHOICES, coerce=int)
    types = MultiCheckboxField(_l("想做哪种活"), choices=TYPE_CHOICES[1:])
    certificates = StringField(_l("证书（用顿号隔开，例如：焊工证、驾照C1）"),
                               validators=[Optional(), Length(max=300)])
    consent_method = RadioField(_l("怎样取得本人同意"), default="written",
                                choices=[("written", _l("书面签字")), ("verbal", _l("口头（电话或当面）"))])
    consent = BooleanField(_l("已向本人说明资料的用途，本人同意登记"))


class HouseholdForm(FlaskForm):
    """Set or clear a worker's priority-household mark."""

    kind = SelectField(_l("重点户类别"), choices=[("tuopin", _l("脱贫户")), ("jiance", _l("监测户")),
                                              ("yidi", _l("易地搬迁户"))])
