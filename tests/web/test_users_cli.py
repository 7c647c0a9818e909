"""``flask users create-admin``: the first admin of an installation, password asked for, never an option."""

from sqlalchemy import select

from web.models import RoleAssignment, User
from web.services.accounts import verify_password

PHONE = "13911112222"


def test_create_admin_prompts_for_a_hidden_confirmed_password_and_grants_admin(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-admin", "--phone", PHONE, "--name", "运维"], input="s3cret-pass\ns3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output  # hidden input is not echoed
    assert "Repeat for confirmation" in result.output
    user = db_session.scalar(select(User).where(User.phone == PHONE))
    assert user is not None and user.display_name == "运维"
    assert verify_password(user, "s3cret-pass")
    roles = db_session.scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)).all()
    assert roles == ["admin"]


def test_create_admin_prompts_for_phone_and_name_when_not_given(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin"], input=f"{PHONE}\n\nlong-enough-1\nlong-enough-1\n"
    )
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(User.id).where(User.phone == PHONE)) is not None


def test_create_admin_refuses_mismatched_weak_or_duplicate_and_takes_no_password_option(app, db_session):
    runner = app.test_cli_runner()
    mismatch = runner.invoke(
        args=["users", "create-admin", "--phone", PHONE, "--name", ""], input="first-pass1\nother-pass1\n"
    )
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output.lower()
    args = ["users", "create-admin", "--phone", PHONE, "--name", ""]
    weak = runner.invoke(args=args, input="short\nshort\n")
    assert weak.exit_code != 0 and "at least 8" in weak.output
    assert db_session.scalar(select(User.id).where(User.phone == PHONE)) is None
    runner.invoke(args=args, input="good-pass-1\n" * 2)
    again = runner.invoke(args=args, input="good-pass-2\n" * 2)
    assert again.exit_code != 0 and "phone" in again.output
    option = runner.invoke(args=["users", "create-admin", "--phone", "13911113333", "--password", "x"])
    assert option.exit_code != 0 and "No such option" in option.output
