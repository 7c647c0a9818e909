"""Admin pages: users and roles, sources, region pairs, key assistance counties (issue #6)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.web.staff import csrf_token, log_in
from web.models import KeyCounty, Place, RegionPair, RegionPairPlace, RoleAssignment, Source, User
from web.policy import pair_prefixes
from web.services.accounts import verify_password

PAGES = ["/admin/users", "/admin/sources", "/admin/pairs", "/admin/key-counties"]


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The shared staff world (tests/web/conftest.py): plain copies of its rows, readable across requests."""
    return staff_world


@pytest.mark.parametrize("who", ["bureau", "collab", "seeker"])
def test_only_admins_reach_admin_pages(client: Any, world: Any, who: str) -> None:
    log_in(client, world.users[who])
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/")  # the sign-out form carries the session's token
    response = client.post(
        "/admin/pairs", data={"csrf_token": token, "name": "x", "west": "榕江县", "east": "北仑区"}
    )
    assert response.status_code == 403
    assert (
        client.post("/admin/key-counties", data={"csrf_token": token, "place": "从江县"}).status_code == 403
    )
    assert client.get("/admin/users").status_code == 403


def test_signed_out_goes_to_login(client: Any, world: Any) -> None:
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_pages_list_what_exists(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    users = client.get("/admin/users").get_data(as_text=True)
    assert "19800000001" in users and "19800000004" in users and "榕江县" in users and "黔东南—广州" in users
    assert "19800000006" not in users  # seekers only appear when searched by phone
    assert "19800000006" in client.get("/admin/users?phone=19800000006").get_data(as_text=True)
    sources = client.get("/admin/sources").get_data(as_text=True)
    assert "demo-bureau-export" in sources
    pairs = client.get("/admin/pairs").get_data(as_text=True)
    assert "黔东南—广州" in pairs


def test_create_pair_with_extra_places(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    token = csrf_token(client, "/admin/pairs")
    response = client.post(
        "/admin/pairs",
        data={
            "csrf_token": token,
            "name": "毕节—广州",
            "west": "毕节市\n威宁彝族回族苗族自治县",
            "east": "广州市、佛山市",
        },
    )
    assert response.status_code == 302
    pair = db_session.scalar(select(RegionPair).where(RegionPair.name == "毕节—广州"))
    assert db_session.get(Place, pair.west_place_id).code == "520500000000"
    assert db_session.get(Place, pair.east_place_id).code == "440100000000"
    extras = {
        (e.side, db_session.get(Place, e.place_id).code[:6])
        for e in db_session.scalars(select(RegionPairPlace).where(RegionPairPlace.region_pair_id == pair.id))
    }
    assert extras == {("west", "520526"), ("east", "440600")}
    west, east = pair_prefixes(db_session, [pair.id])
    assert west == ("5205", "520526") and east == ("4401", "4406")
    assert "毕节—广州" in client.get("/admin/pairs").get_data(as_text=True)
    again = client.post(
        "/admin/pairs", data={"csrf_token": token, "name": "重复", "west": "毕节市", "east": "广州市"}
    )
    assert again.status_code == 400 and "这两个地方的结对已经有了" in again.get_data(as_text=True)


def test_create_pair_rejects_unknown_place_and_missing_csrf(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    token = csrf_token(client, "/admin/pairs")
    before = len(db_session.scalars(select(RegionPair)).all())
    bad = client.post(
        "/admin/pairs", data={"csrf_token": token, "name": "x", "west": "不存在的地方哈哈", "east": "广州市"}
    )
    assert bad.status_code == 400 and "找不到地点" in bad.get_data(as_text=True)
    empty = client.post("/admin/pairs", data={"csrf_token": token, "name": "", "west": "", "east": ""})
    assert empty.status_code == 400 and "请填写结对名称" in empty.get_data(as_text=True)
    assert (
        client.post("/admin/pairs", data={"name": "x", "west": "毕节市", "east": "广州市"}).status_code == 400
    )
    assert len(db_session.scalars(select(RegionPair)).all()) == before


def test_create_staff_user_and_assign_bureau_role(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    token = csrf_token(client, "/admin/users")
    created = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "phone": "13712345678",
            "password": "chushi-mima-1",
            "display_name": "从江县就业局",
        },
    )
    assert created.status_code == 302
    user = db_session.scalar(select(User).where(User.phone == "13712345678"))
    assert user.password_hash.startswith("$argon2") and verify_password(user, "chushi-mima-1")
    uid = user.id
    dup = client.post(
        "/admin/users", data={"csrf_token": token, "phone": "13712345678", "password": "chushi-mima-1"}
    )
    assert dup.status_code == 400 and "已经有账号" in dup.get_data(as_text=True)
    prefix = f"u{uid}-"
    not_county = client.post(
        f"/admin/users/{uid}/roles",
        data={f"{prefix}csrf_token": token, f"{prefix}role": "bureau", f"{prefix}county": "黔东南州"},
    )
    assert not_county.status_code == 400 and "不是县级地方" in not_county.get_data(as_text=True)
    ok = client.post(
        f"/admin/users/{uid}/roles",
        data={f"{prefix}csrf_token": token, f"{prefix}role": "bureau", f"{prefix}county": "从江县"},
    )
    assert ok.status_code == 302
    role = db_session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == uid))
    assert role.role == "bureau" and db_session.get(Place, role.county_id).code == "522633000000"
    role_id = role.id
    twice = client.post(
        f"/admin/users/{uid}/roles",
        data={f"{prefix}csrf_token": token, f"{prefix}role": "bureau", f"{prefix}county": "从江县"},
    )
    assert twice.status_code == 400 and "已经有这个角色" in twice.get_data(as_text=True)
    no_pair = client.post(
        f"/admin/users/{uid}/roles",
        data={f"{prefix}csrf_token": token, f"{prefix}role": "collab", f"{prefix}pair": ""},
    )
    assert no_pair.status_code == 400
    collab = client.post(
        f"/admin/users/{uid}/roles",
        data={f"{prefix}csrf_token": token, f"{prefix}role": "collab", f"{prefix}pair": str(world.pair.id)},
    )
    assert collab.status_code == 302
    roles = {
        (r.role, r.county_id, r.region_pair_id)
        for r in db_session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == uid))
    }
    assert roles == {("bureau", world.places["other_county"].id, None), ("collab", None, world.pair.id)}
    removed = client.post(f"/admin/roles/{role_id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302 and db_session.get(RoleAssignment, role_id) is None
    gone = client.post(
        "/admin/users/999999/roles",
        data={"u999999-csrf_token": token, "u999999-role": "admin"},
        follow_redirects=True,
    )
    assert "找不到这个用户" in gone.get_data(as_text=True)


def test_admin_cannot_remove_own_admin_role(client: Any, world: Any, db_session: Any) -> None:
    admin = world.users["admin"]
    log_in(client, admin)
    token = csrf_token(client, "/admin/users")
    own = db_session.scalar(select(RoleAssignment.id).where(RoleAssignment.user_id == admin.id))
    page = client.post(f"/admin/roles/{own}/remove", data={"csrf_token": token}, follow_redirects=True)
    assert "不能取消自己的管理员角色" in page.get_data(as_text=True)
    assert db_session.get(RoleAssignment, own) is not None


def test_key_counties_add_and_remove(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    token = csrf_token(client, "/admin/key-counties")
    added = client.post("/admin/key-counties", data={"csrf_token": token, "place": "雷山县"})
    assert added.status_code == 302
    county = db_session.scalar(select(KeyCounty.id).join(Place).where(Place.code == "522634000000"))
    assert county is not None
    assert "雷山县" in client.get("/admin/key-counties").get_data(as_text=True)
    dup = client.post("/admin/key-counties", data={"csrf_token": token, "place": "雷山县"})
    assert dup.status_code == 400 and "已经在重点帮扶县名单里" in dup.get_data(as_text=True)
    city = client.post("/admin/key-counties", data={"csrf_token": token, "place": "广州市"})
    assert city.status_code == 400 and "不是县级地方" in city.get_data(as_text=True)
    removed = client.post(f"/admin/key-counties/{county}/remove", data={"csrf_token": token})
    assert removed.status_code == 302 and db_session.get(KeyCounty, county) is None
    again = client.post(
        f"/admin/key-counties/{county}/remove", data={"csrf_token": token}, follow_redirects=True
    )
    assert "这个县已经不在名单里了" in again.get_data(as_text=True)


def test_sources_enable_and_disable(client: Any, world: Any, db_session: Any) -> None:
    log_in(client, world.users["admin"])
    token = csrf_token(client, "/admin/sources")
    source = db_session.scalar(select(Source.id).where(Source.name == "demo-bureau-export"))
    off = client.post(f"/admin/sources/{source}/enabled", data={"csrf_token": token, "value": "off"})
    assert off.status_code == 302
    assert db_session.get(Source, source).enabled is False
    client.post(f"/admin/sources/{source}/enabled", data={"csrf_token": token, "value": "on"})
    assert db_session.get(Source, source).enabled is True
    assert (
        client.post(
            f"/admin/sources/{source}/enabled", data={"csrf_token": token, "value": "maybe"}
        ).status_code
        == 400
    )
    gone = client.post(
        "/admin/sources/999999/enabled", data={"csrf_token": token, "value": "on"}, follow_redirects=True
    )
    assert "找不到这个岗位来源" in gone.get_data(as_text=True)
