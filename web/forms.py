"""Account forms (Flask-WTF: CSRF token on each). Messages are Chinese msgids, translated lazily."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

PHONE = dict(label=_l("手机号"), validators=[DataRequired(_l("请填写手机号。")), Length(max=20)])
NEW_PASSWORD = dict(label=_l("密码（至少8位）"),
                    validators=[DataRequired(_l("请设置密码。")),
                                Length(max=128, message=_l("密码太长了（最多128位）。"))])


class PhoneForm(FlaskForm):
    """Step one of sign-up and of a password reset: where to send the code."""

    phone = StringField(**PHONE)


class SignupForm(FlaskForm):
    """Step two of sign-up: the code and a password."""

    code = StringField(_l("短信验证码"), validators=[DataRequired(_l("请填写验证码。")), Length(max=10)])
    password = PasswordField(**NEW_PASSWORD)
    confirm = PasswordField(_l("再输一次密码"),
                            validators=[EqualTo("password", message=_l("两次输入的密码不一样。"))])


class LoginForm(FlaskForm):
    """Phone and password."""

    phone = StringField(**PHONE)
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。")), Length(max=128)])


class ConsentForm(FlaskForm):
    """The plain-words consent."""

    agree = BooleanField(_l("我看过了，同意"),
                         validators=[DataRequired(_l("要先勾选同意，才能保存你的资料。"))])


class PasswordForm(FlaskForm):
    """Change the password (signs out every other device)."""

    old_password = PasswordField(_l("原密码"),
                                 validators=[DataRequired(_l("请填写原密码。")), Length(max=128)])
    password = PasswordField(**NEW_PASSWORD)
    confirm = PasswordField(_l("再输一次新密码"),
                            validators=[EqualTo("password", message=_l("两次输入的密码不一样。"))])


class DeleteForm(FlaskForm):
    """Delete everything: the password and a tick, so it is never an accident."""

    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请填写密码。")), Length(max=128)])
    sure = BooleanField(_l("我明白：删除后无法恢复"),
                        validators=[DataRequired(_l("请勾选确认。"))])
