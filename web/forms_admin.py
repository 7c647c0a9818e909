"""Admin forms (Flask-WTF: a CSRF token on each). Messages are Chinese msgids, translated lazily."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

ROLE_CHOICES = [("bureau", _l("县就业局（管一个县）")), ("collab", _l("东西部协作办（管一个结对）")),
                ("admin", _l("管理员")), ("seeker", _l("求职者"))]


class StaffUserForm(FlaskForm):
    """A new staff account: phone, initial password, a name to show."""

    phone = StringField(_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), Length(max=20)])
    password = PasswordField(_l("初始密码（至少8位）"), validators=[
        DataRequired(_l("请设置初始密码。")), Length(max=128, message=_l("密码太长了（最多128位）。"))])
    display_name = StringField(_l("姓名或单位"), validators=[Optional(), Length(max=100)])


class RoleForm(FlaskForm):
    """A role with its scope: a county for bureau staff, a region pair for a collaboration office."""

    role = SelectField(_l("角色"), choices=ROLE_CHOICES, validators=[DataRequired(_l("请选择角色。"))])
    county = StringField(_l("县（县就业局必填，例如：榕江县）"), validators=[Optional(), Length(max=100)])
    pair = SelectField(_l("结对（协作办必填）"), coerce=str, validators=[Optional()], validate_choice=False)


class PairForm(FlaskForm):
    """A region pair: its name and the places of each side, by name."""

    name = StringField(_l("结对名称"), validators=[DataRequired(_l("请填写结对名称。")), Length(max=100)])
    west = TextAreaField(_l("西部地方（每行一个，第一个为主）"),
                         validators=[DataRequired(_l("请填写西部的地方。")), Length(max=2000)])
    east = TextAreaField(_l("东部地方（每行一个，第一个为主）"),
                         validators=[DataRequired(_l("请填写东部的地方。")), Length(max=2000)])


class KeyCountyForm(FlaskForm):
    """A key assistance county, by name."""

    place = StringField(_l("县名（例如：从江县）"),
                        validators=[DataRequired(_l("请填写县名。")), Length(max=100)])


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (remove, enable, disable)."""

    value = HiddenField()


class SourcePublicForm(FlaskForm):
    """What seekers are told about a source: its public name, phone, and reply time."""

    public_name = StringField(_l("对求职者显示的名称（例如：榕江县人社局）"),
                              validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("咨询电话（申请后显示）"), validators=[Optional(), Length(max=40)])
    reply_days = IntegerField(_l("几个工作日内回电（不承诺就不填）"), validators=[
        Optional(), NumberRange(min=1, max=60, message=_l("请填1到60之间的天数。"))])


TRUST_CHOICES = [("bureau", _l("人社局发布")), ("employer", _l("企业直招")), ("aggregator", _l("招聘网站"))]


class SourceForm(FlaskForm):
    """A source an admin adds or edits; the kinds are the registry's (set by the view). The
    settings boxes take ``key = value`` lines; web/services/sources.py checks them all."""

    name = StringField(_l("内部名称（只用字母、数字和横线）"),
                       validators=[DataRequired(_l("请填写这一项。")), Length(max=100),
                                   Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                                          message=_l("只能用字母、数字、点、横线和下划线。"))])
    kind = SelectField(_l("来源类型"), validate_choice=False)
    url = StringField(_l("网址（列表页、订阅或接口的第一页）"), validators=[Optional(), Length(max=1000)])
    schedule = StringField(_l("多久抓一次（不填就只手动运行）"),
                           validators=[Optional(), Length(max=100)])
    trust = SelectField(_l("可信度"), choices=TRUST_CHOICES)
    public_name = StringField(_l("对求职者显示的名称（例如：榕江县人社局）"),
                              validators=[Optional(), Length(max=100)])
    html = TextAreaField(_l("网页选择器（每行一个）"),
                         validators=[Optional(), Length(max=5000)])
    mapping = TextAreaField(_l("字段对应（每行一个）"),
                            validators=[Optional(), Length(max=5000)])
    options = TextAreaField(_l("其他设置（每行一个）"),
                            validators=[Optional(), Length(max=5000)])
