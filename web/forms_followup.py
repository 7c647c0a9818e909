"""Forms of the bureau follow-up pages (Flask-WTF: a CSRF token on each); Chinese msgids."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

BY_HAND = 0


class PlacementForm(FlaskForm):
    """A placement: from one of the worker's applications, or employer and title by hand."""

    application_id = SelectField(_l("来自哪份申请"), coerce=int, default=BY_HAND)
    employer = StringField(_l("用工单位（从申请记录时可不填）"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("岗位名称（从申请记录时可不填）"), validators=[Optional(), Length(max=200)])
    started_on = DateField(_l("上岗日期"), validators=[DataRequired(_l("请填写上岗日期。"))])
    posting_id = HiddenField()  # the job it was chosen from ("为他找工作"), if any


class CheckInForm(FlaskForm):
    """One follow-up call: still working? paid on time? a note."""

    still_working = RadioField(_l("还在这份工作上吗？"), choices=[("yes", _l("在岗")), ("no", _l("已离岗"))],
                               validators=[InputRequired(_l("请选择是否还在岗。"))])
    paid_on_time = RadioField(_l("工资按时发了吗？"),
                              choices=[("yes", _l("按时")), ("no", _l("没有按时")),
                                       ("unknown", _l("不清楚"))],
                              default="unknown")
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=1000)])

    def answers(self) -> dict[str, object]:
        """The answers as the service takes them."""
        paid = {"yes": True, "no": False}.get(self.paid_on_time.data or "")
        return {"still_working": self.still_working.data == "yes", "paid_on_time": paid,
                "note": self.note.data}
