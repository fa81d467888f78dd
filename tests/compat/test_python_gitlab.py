"""Compatibility tests: drive orgcells with python-gitlab 8.6.0, as a GitLab client would.

Run through tests/compat/run.sh, which starts a fresh server and sets:
  GITLAB_URL    base URL of the server (no /api/v4)
  GITLAB_TOKEN  an admin personal access token (scopes include api and sudo)

Every test makes its own uniquely named users, groups and projects, so tests can run in any
order or alone (`run.sh sqlite -k NAME`). Nothing is cleaned up: each run uses a throwaway
data directory or database.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import uuid
from typing import Any, Callable

import gitlab
import gitlab.exceptions as glexc
import pytest

# A server whose web_url / Link headers do not start with the URL the client used is a real
# incompatibility (python-gitlab follows Link URLs verbatim): make its warning fail the test.
pytestmark = pytest.mark.filterwarnings("error:The base URL in the server response differs")

OWNER, MAINTAINER, DEVELOPER, REPORTER, GUEST = 50, 40, 30, 20, 10


# --------------------------------------------------------------------------------------------
# helpers and fixtures
# --------------------------------------------------------------------------------------------


def tag(prefix: str = "c") -> str:
    """A unique, valid path/username: letters and digits after one hyphen, e.g. 'grp-3f2a...'."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclasses.dataclass
class NewUser:
    user: Any  # gitlab.v4.objects.User, as seen by the admin
    token: str
    client: gitlab.Gitlab  # authenticated as this user with an `api` token

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username


@pytest.fixture(scope="session")
def url() -> str:
    return os.environ["GITLAB_URL"].rstrip("/")


@pytest.fixture(scope="session")
def gl(url: str) -> gitlab.Gitlab:
    """The admin client."""
    client = gitlab.Gitlab(url, private_token=os.environ["GITLAB_TOKEN"])
    client.auth()
    return client


@pytest.fixture(scope="session")
def root(gl: gitlab.Gitlab) -> Any:
    """The admin user behind GITLAB_TOKEN."""
    assert gl.user is not None
    return gl.user


def user_attrs(username: str) -> dict[str, str]:
    return {
        "username": username,
        "email": f"{username}@example.com",
        "name": f"Compat {username}",
        "password": f"Pw-{uuid.uuid4().hex}",
    }


def client_for(url: str, token: str) -> gitlab.Gitlab:
    return gitlab.Gitlab(url, private_token=token)


@pytest.fixture
def make_user(gl: gitlab.Gitlab, url: str) -> Callable[..., NewUser]:
    """Create a user as admin, give it an `api` token, and return a client for it."""

    def make(prefix: str = "u") -> NewUser:
        user = gl.users.create(user_attrs(tag(prefix)))
        pat = user.personal_access_tokens.create({"name": "compat", "scopes": ["api"]})
        return NewUser(user=user, token=pat.token, client=client_for(url, pat.token))

    return make


@pytest.fixture
def make_group(gl: gitlab.Gitlab) -> Callable[..., Any]:
    """Create a group as admin: make_group(prefix, parent=None, **extra_attributes)."""

    def make(prefix: str = "g", parent: Any = None, **extra: Any) -> Any:
        path = tag(prefix)
        attrs: dict[str, Any] = {"name": path, "path": path, **extra}
        if parent is not None:
            attrs["parent_id"] = parent.id
        return gl.groups.create(attrs)

    return make


@pytest.fixture
def make_project(gl: gitlab.Gitlab) -> Callable[..., Any]:
    """Create a project as admin in a group; the name is a valid path, so path == name."""

    def make(group: Any, prefix: str = "p", **extra: Any) -> Any:
        return gl.projects.create({"name": tag(prefix), "namespace_id": group.id, **extra})

    return make


def ids(objects: Any) -> set[int]:
    return {o.id for o in objects}


def levels(members: Any) -> dict[int, int]:
    """{user id: access level}; each user must appear once (GitLab keeps the highest level)."""
    members = list(members)
    by_user = {m.id: m.access_level for m in members}
    assert len(by_user) == len(members), f"a user is listed twice: {[m.id for m in members]}"
    return by_user


def raw_get(client: gitlab.Gitlab, path: str, **query: Any):
    """GET returning the requests.Response, to look at headers."""
    return client.http_request("get", path, query_data=query)


# --------------------------------------------------------------------------------------------
# server basics
# --------------------------------------------------------------------------------------------


def test_version(gl: gitlab.Gitlab) -> None:
    version, revision = gl.version()
    assert version != "unknown"
    assert len(version.split("-")[0].split(".")) == 3  # python-gitlab's fixtures split X.Y.Z
    assert isinstance(revision, str) and revision != "unknown"


def test_admin_current_user(gl: gitlab.Gitlab, root: Any, url: str) -> None:
    assert root.is_admin is True
    assert root.state == "active"
    assert root.web_url == f"{url}/{root.username}"


# --------------------------------------------------------------------------------------------
# users
# --------------------------------------------------------------------------------------------


def test_user_create_and_get(gl: gitlab.Gitlab, url: str) -> None:
    attrs = user_attrs(tag("u"))
    created = gl.users.create(attrs)
    assert isinstance(created.id, int)
    assert created.username == attrs["username"]
    assert created.email == attrs["email"]
    assert created.name == attrs["name"]
    assert created.state == "active"
    assert created.is_admin is False
    assert created.web_url == f"{url}/{attrs['username']}"
    assert "password" not in created.attributes

    fetched = gl.users.get(created.id)
    assert fetched.id == created.id
    assert fetched.username == attrs["username"]
    assert fetched.email == attrs["email"]
    assert fetched.name == attrs["name"]


def test_user_list_by_username_and_search(gl: gitlab.Gitlab, make_user) -> None:
    u = make_user("ul")
    other = make_user("ul")

    by_username = gl.users.list(username=u.username)
    assert [x.id for x in by_username] == [u.id]
    assert by_username[0].email == u.user.email  # admins see emails in lists

    found = gl.users.list(search=u.username)
    assert u.id in ids(found)
    assert other.id not in ids(found)
    assert gl.users.list(search=f"nosuch{uuid.uuid4().hex}") == []


def test_user_update_name(gl: gitlab.Gitlab, make_user) -> None:
    u = make_user()
    user = gl.users.get(u.id)
    user.name = "Renamed Compat User"
    user.save()
    assert user.name == "Renamed Compat User"
    assert gl.users.get(u.id).name == "Renamed Compat User"


def test_admin_creates_token_for_user(gl: gitlab.Gitlab, url: str) -> None:
    user = gl.users.create(user_attrs(tag("tk")))
    data = gl.http_post(
        f"/users/{user.id}/personal_access_tokens",
        post_data={"name": "compat-token", "scopes": ["api"]},
    )
    assert isinstance(data, dict)
    assert data["token"].startswith("glpat-")
    assert data["name"] == "compat-token"
    assert data["scopes"] == ["api"]
    assert data["user_id"] == user.id
    assert data["active"] is True
    assert data["revoked"] is False

    gl2 = client_for(url, data["token"])
    gl2.auth()
    assert gl2.user is not None
    assert gl2.user.id == user.id
    assert gl2.user.username == user.username
    assert getattr(gl2.user, "is_admin", False) is False


def test_user_token_via_manager(gl: gitlab.Gitlab, url: str) -> None:
    user = gl.users.get(gl.users.create(user_attrs(tag("tm"))).id)
    pat = user.personal_access_tokens.create({"name": "via-manager", "scopes": ["api"]})
    assert pat.token.startswith("glpat-")
    gl2 = client_for(url, pat.token)
    gl2.auth()
    assert gl2.user.username == user.username


def test_current_user_creates_own_token(make_user) -> None:
    u = make_user("self")
    before = datetime.datetime.now(datetime.timezone.utc).date()
    data = u.client.http_post(
        "/user/personal_access_tokens",
        post_data={"name": "self-made", "scopes": ["k8s_proxy"]},
    )
    after = datetime.datetime.now(datetime.timezone.utc).date()
    assert isinstance(data, dict)
    assert data["token"].startswith("glpat-")
    assert data["name"] == "self-made"
    assert data["scopes"] == ["k8s_proxy"]
    assert data["user_id"] == u.id
    # GitLab: expires_at defaults to tomorrow for self-created tokens.
    one_day = datetime.timedelta(days=1)
    assert data["expires_at"] in {(before + one_day).isoformat(), (after + one_day).isoformat()}


def test_current_user_token_scope_restricted(make_user) -> None:
    """GitLab only lets a user create k8s_proxy tokens for themselves through the API."""
    u = make_user("self")
    with pytest.raises(glexc.GitlabHttpError) as err:
        u.client.http_post(
            "/user/personal_access_tokens", post_data={"name": "nope", "scopes": ["api"]}
        )
    assert err.value.response_code == 400
    # GitLab declares the scopes it takes (`values:`), so Grape refuses the parameter itself:
    # {"error": "scopes does not have a valid value"}.
    assert err.value.error_message == "scopes does not have a valid value"


def test_user_needs_a_password_or_a_random_one(gl: gitlab.Gitlab) -> None:
    attrs = user_attrs(tag("pw"))
    del attrs["password"]
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.users.create(attrs)
    assert err.value.response_code == 400
    assert err.value.error_message == (
        "password, reset_password, force_random_password are missing, "
        "at least one parameter must be provided"
    )
    created = gl.users.create({**attrs, "reset_password": True})
    assert created.username == attrs["username"]


def test_duplicate_username_is_409(gl: gitlab.Gitlab) -> None:
    attrs = user_attrs(tag("dup"))
    gl.users.create(attrs)
    again = {**attrs, "email": f"other-{attrs['email']}"}
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.users.create(again)
    assert err.value.response_code == 409
    assert err.value.error_message == "Username has already been taken"


def test_duplicate_email_is_409(gl: gitlab.Gitlab) -> None:
    attrs = user_attrs(tag("dup"))
    gl.users.create(attrs)
    again = {**attrs, "username": tag("dup")}
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.users.create(again)
    assert err.value.response_code == 409
    assert err.value.error_message == "Email has already been taken"


def test_bad_token_is_401(url: str) -> None:
    bad = client_for(url, "glpat-this-token-does-not-exist-000")
    with pytest.raises(glexc.GitlabAuthenticationError) as err:
        bad.auth()
    assert err.value.response_code == 401
    assert err.value.error_message == "401 Unauthorized"


def test_anonymous_current_user_is_401(url: str) -> None:
    with pytest.raises(glexc.GitlabAuthenticationError) as err:
        gitlab.Gitlab(url).http_get("/user")
    assert err.value.response_code == 401


def test_sudo_by_param_and_header(gl: gitlab.Gitlab, make_user) -> None:
    u = make_user("sudo")
    as_param = gl.http_get("/user", sudo=u.username)
    assert as_param["id"] == u.id
    assert as_param["username"] == u.username

    as_header = gl.http_get("/user", extra_headers={"Sudo": str(u.id)})
    assert as_header["id"] == u.id

    # Permissions are those of the sudoed user: creating users is admin-only.
    with pytest.raises(glexc.GitlabHttpError) as err:
        gl.http_post("/users", post_data=user_attrs(tag("x")), sudo=u.username)
    assert err.value.response_code == 403


def test_sudo_unknown_user_is_404(gl: gitlab.Gitlab) -> None:
    ghost = tag("ghost")
    with pytest.raises(glexc.GitlabHttpError) as err:
        gl.http_get("/user", sudo=ghost)
    assert err.value.response_code == 404
    assert err.value.error_message == f"404 User with ID or username '{ghost}' Not Found"


def test_sudo_by_non_admin_is_403(make_user, root: Any) -> None:
    u = make_user("sudo")
    with pytest.raises(glexc.GitlabHttpError) as err:
        u.client.http_get("/user", sudo=root.username)
    assert err.value.response_code == 403
    assert err.value.error_message == "403 Forbidden - Must be admin to use sudo"


def test_delete_user(gl: gitlab.Gitlab) -> None:
    user = gl.users.create(user_attrs(tag("del")))
    response = gl.http_delete(f"/users/{user.id}")
    assert response.status_code == 204
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.users.get(user.id)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 User Not Found"


# --------------------------------------------------------------------------------------------
# groups
# --------------------------------------------------------------------------------------------


def test_create_top_level_group(gl: gitlab.Gitlab, root: Any, url: str) -> None:
    path = tag("top")
    group = gl.groups.create({"name": f"Top {path}", "path": path, "description": "compat"})
    assert group.name == f"Top {path}"
    assert group.path == path
    assert group.full_path == path
    assert group.full_name == f"Top {path}"
    assert group.parent_id is None
    assert group.description == "compat"
    assert group.visibility == "private"
    assert group.web_url == f"{url}/groups/{path}"
    assert isinstance(group.organization_id, int)

    members = group.members.list()
    assert levels(members) == {root.id: OWNER}


def test_create_subgroup_and_get_by_path(gl: gitlab.Gitlab, make_group, root: Any) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    assert sub.parent_id == top.id
    assert sub.full_path == f"{top.path}/{sub.path}"
    assert sub.full_name == f"{top.name} / {sub.name}"
    assert sub.organization_id == top.organization_id

    by_id = gl.groups.get(sub.id)
    assert by_id.full_path == sub.full_path
    by_path = gl.groups.get(f"{top.path}/{sub.path}")  # sent as top%2Fsub
    assert by_path.id == sub.id
    assert gl.groups.get(top.path).id == top.id


def test_subgroups_and_descendants(make_group) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    subsub = make_group("subsub", parent=sub)

    assert ids(top.subgroups.list()) == {sub.id}
    assert ids(sub.subgroups.list()) == {subsub.id}
    assert ids(top.descendant_groups.list()) == {sub.id, subsub.id}
    assert ids(subsub.descendant_groups.list()) == set()


def test_list_groups_with_search(gl: gitlab.Gitlab, make_group) -> None:
    word = uuid.uuid4().hex[:10]
    top = make_group(f"s{word}")
    sub = make_group(f"s{word}", parent=top)
    unrelated = make_group("other")

    found = ids(gl.groups.list(search=word, get_all=True))
    assert {top.id, sub.id} <= found  # admins see subgroups in /groups
    assert unrelated.id not in found


def test_subgroup_offset_pagination(gl: gitlab.Gitlab, make_group) -> None:
    top = make_group("pg")
    stem = tag("child")
    names = [f"{stem}-{i}" for i in range(5)]  # default order is name asc
    children = [
        gl.groups.create({"name": n, "path": n, "parent_id": top.id}) for n in names
    ]

    everything = top.subgroups.list(per_page=2, get_all=True)
    assert [g.name for g in everything] == names
    assert ids(everything) == ids(children)

    page2 = top.subgroups.list(per_page=2, page=2)
    assert [g.name for g in page2] == names[2:4]
    page3 = top.subgroups.list(per_page=2, page=3)
    assert [g.name for g in page3] == names[4:]

    lazy = top.subgroups.list(per_page=2, iterator=True)
    assert lazy.total == 5
    assert lazy.total_pages == 3
    assert lazy.per_page == 2
    assert [g.name for g in lazy] == names


def test_offset_pagination_headers(gl: gitlab.Gitlab, make_group, url: str) -> None:
    top = make_group("hdr")
    for _ in range(5):
        make_group("child", parent=top)

    first = raw_get(gl, f"/groups/{top.id}/subgroups", per_page=2)
    assert first.headers["X-Page"] == "1"
    assert first.headers["X-Per-Page"] == "2"
    assert first.headers["X-Next-Page"] == "2"
    assert first.headers["X-Prev-Page"] == ""
    assert first.headers["X-Total"] == "5"
    assert first.headers["X-Total-Pages"] == "3"
    assert set(first.links) == {"next", "first", "last"}
    assert first.links["next"]["url"].startswith(f"{url}/api/v4/groups/{top.id}/subgroups?")
    assert "page=2" in first.links["next"]["url"]

    last = raw_get(gl, f"/groups/{top.id}/subgroups", per_page=2, page=3)
    assert last.headers["X-Next-Page"] == ""
    assert last.headers["X-Prev-Page"] == "2"
    assert "next" not in last.links
    assert len(last.json()) == 1


def test_groups_keyset_pagination(gl: gitlab.Gitlab, make_group) -> None:
    stem = tag("ks")
    mine = [
        gl.groups.create({"name": f"{stem}-{c}", "path": f"{stem}-{c}"}) for c in "abc"
    ]
    listed = gl.groups.list(pagination="keyset", order_by="name", per_page=2, get_all=True)
    listed_ids = [g.id for g in listed]
    assert len(listed_ids) == len(set(listed_ids)), "a group was returned twice"
    positions = [listed_ids.index(g.id) for g in mine]  # ValueError if one is missing
    assert positions == sorted(positions), "not ordered by name"


def test_update_group_description(gl: gitlab.Gitlab, make_group) -> None:
    group = make_group("upd")
    group.description = "updated by compat"
    group.save()
    assert group.description == "updated by compat"
    assert gl.groups.get(group.id).description == "updated by compat"


def test_duplicate_group_path_is_400(gl: gitlab.Gitlab, make_group) -> None:
    group = make_group("dup")
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.groups.create({"name": f"other {group.name}", "path": group.path})
    assert err.value.response_code == 400
    assert "path" in str(err.value.error_message)
    assert "has already been taken" in str(err.value.error_message)


@pytest.mark.parametrize("bad_path", ["-bad", "bad-", "bad.git", "admin"])
def test_invalid_top_level_path_is_400(gl: gitlab.Gitlab, bad_path: str) -> None:
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.groups.create({"name": tag("bad"), "path": bad_path})
    assert err.value.response_code == 400
    assert "path" in str(err.value.error_message)


def test_reserved_path_error_says_reserved(gl: gitlab.Gitlab) -> None:
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.groups.create({"name": tag("bad"), "path": "admin"})
    assert "admin is a reserved name" in str(err.value.error_message)


def test_reserved_top_level_word_is_fine_for_subgroup(gl: gitlab.Gitlab, make_group) -> None:
    top = make_group("top")
    sub = gl.groups.create({"name": "admin", "path": "admin", "parent_id": top.id})
    assert sub.full_path == f"{top.path}/admin"


def test_missing_group_path_is_400(gl: gitlab.Gitlab) -> None:
    with pytest.raises(glexc.GitlabHttpError) as err:
        gl.http_post("/groups", post_data={"name": tag("nopath")})
    assert err.value.response_code == 400
    assert "path" in err.value.error_message


def test_delete_group(gl: gitlab.Gitlab, make_group) -> None:
    group = make_group("del")
    response = gl.http_delete(f"/groups/{group.id}")
    assert response.status_code == 202
    assert response.json() == {"message": "202 Accepted"}
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.groups.get(group.id)
    assert err.value.response_code == 404


def test_missing_group_is_404(gl: gitlab.Gitlab) -> None:
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.groups.get(999999999)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Group Not Found"
    assert str(err.value) == "404: 404 Group Not Found"

    with pytest.raises(glexc.GitlabGetError) as err:
        gl.groups.get(f"{tag('nosuch')}/{tag('nosuch')}")
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Group Not Found"


def test_missing_project_and_user_are_404(gl: gitlab.Gitlab) -> None:
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.projects.get(999999999)
    assert err.value.error_message == "404 Project Not Found"
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.users.get(999999999)
    assert err.value.error_message == "404 User Not Found"


# --------------------------------------------------------------------------------------------
# group transfer
# --------------------------------------------------------------------------------------------


def test_group_transfer(gl: gitlab.Gitlab, make_group, make_project) -> None:
    top1 = make_group("top")
    top2 = make_group("top")
    sub = make_group("sub", parent=top1)
    project = make_project(sub)

    sub.transfer(top2.id)
    moved = gl.groups.get(sub.id)
    assert moved.parent_id == top2.id
    assert moved.full_path == f"{top2.path}/{sub.path}"
    assert ids(top1.subgroups.list()) == set()
    assert ids(top2.subgroups.list()) == {sub.id}
    assert gl.projects.get(project.id).path_with_namespace == (
        f"{top2.path}/{sub.path}/{project.path}"
    )

    moved.transfer()  # no group_id: becomes top-level
    promoted = gl.groups.get(sub.id)
    assert promoted.parent_id is None
    assert promoted.full_path == sub.path


def test_group_transfer_into_own_subgroup_is_400(make_group) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    with pytest.raises(glexc.GitlabGroupTransferError) as err:
        top.transfer(sub.id)
    assert err.value.response_code == 400
    assert "Transfer failed" in str(err.value.error_message)


# --------------------------------------------------------------------------------------------
# group members
# --------------------------------------------------------------------------------------------


def test_add_and_list_group_members(make_group, make_user, root: Any) -> None:
    group = make_group("mem")
    alice = make_user("alice")
    bob = make_user("bob")

    member = group.members.create({"user_id": alice.id, "access_level": DEVELOPER})
    assert member.id == alice.id
    assert member.username == alice.username
    assert member.access_level == DEVELOPER
    assert levels(group.members.list()) == {root.id: OWNER, alice.id: DEVELOPER}

    group.members.create({"user_id": bob.id, "access_level": REPORTER})
    assert levels(group.members.list()) == {
        root.id: OWNER,
        alice.id: DEVELOPER,
        bob.id: REPORTER,
    }

    assert group.members.get(alice.id).access_level == DEVELOPER


def test_inherited_members_all(make_group, make_user, root: Any) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    alice = make_user("alice")  # inherited only
    bob = make_user("bob")  # direct on the subgroup only
    carol = make_user("carol")  # both: the higher level wins
    top.members.create({"user_id": alice.id, "access_level": DEVELOPER})
    top.members.create({"user_id": carol.id, "access_level": REPORTER})
    sub.members.create({"user_id": bob.id, "access_level": GUEST})
    sub.members.create({"user_id": carol.id, "access_level": MAINTAINER})

    assert levels(sub.members.list()) == {root.id: OWNER, bob.id: GUEST, carol.id: MAINTAINER}
    assert levels(sub.members_all.list(get_all=True)) == {
        root.id: OWNER,
        alice.id: DEVELOPER,
        bob.id: GUEST,
        carol.id: MAINTAINER,
    }
    # Inherited members can read the subgroup with their token.
    assert alice.client.groups.get(sub.id).id == sub.id


def test_update_group_member(gl: gitlab.Gitlab, make_group, make_user) -> None:
    group = make_group("mem")
    alice = make_user("alice")
    group.members.create({"user_id": alice.id, "access_level": DEVELOPER})

    member = group.members.get(alice.id)
    member.access_level = MAINTAINER
    member.save()
    assert member.access_level == MAINTAINER
    assert gl.groups.get(group.id).members.get(alice.id).access_level == MAINTAINER


def test_duplicate_group_member_is_409(make_group, make_user) -> None:
    group = make_group("mem")
    alice = make_user("alice")
    group.members.create({"user_id": alice.id, "access_level": DEVELOPER})
    with pytest.raises(glexc.GitlabCreateError) as err:
        group.members.create({"user_id": alice.id, "access_level": MAINTAINER})
    assert err.value.response_code == 409
    assert err.value.error_message == "Member already exists"


def test_invalid_access_level_is_400(make_group, make_user) -> None:
    group = make_group("mem")
    alice = make_user("alice")
    with pytest.raises(glexc.GitlabCreateError) as err:
        group.members.create({"user_id": alice.id, "access_level": 33})
    assert err.value.response_code == 400
    assert "access_level" in str(err.value.error_message)
    assert alice.id not in ids(group.members.list())


def test_add_unknown_user_is_404(make_group) -> None:
    group = make_group("mem")
    with pytest.raises(glexc.GitlabCreateError) as err:
        group.members.create({"user_id": 999999999, "access_level": DEVELOPER})
    assert err.value.response_code == 404
    assert err.value.error_message == "404 User Not Found"


def test_remove_group_member(make_group, make_user, root: Any) -> None:
    group = make_group("mem")
    alice = make_user("alice")
    group.members.create({"user_id": alice.id, "access_level": DEVELOPER})
    assert alice.client.groups.get(group.id).id == group.id

    group.members.delete(alice.id)
    assert levels(group.members.list()) == {root.id: OWNER}
    with pytest.raises(glexc.GitlabGetError) as err:
        group.members.get(alice.id)
    assert err.value.response_code == 404
    with pytest.raises(glexc.GitlabGetError) as err:
        alice.client.groups.get(group.id)  # private group, no longer a member
    assert err.value.response_code == 404


def test_maintainers_add_members_up_to_their_own_level(make_group, make_user) -> None:
    """SPEC section 4: maintainers add members up to their own level; only owners add owners."""
    group = make_group("mem")
    maintainer = make_user("maint")
    developer = make_user("dev")
    newcomer = make_user("new")
    group.members.create({"user_id": maintainer.id, "access_level": MAINTAINER})
    group.members.create({"user_id": developer.id, "access_level": DEVELOPER})

    as_maintainer = maintainer.client.groups.get(group.id)
    added = as_maintainer.members.create({"user_id": newcomer.id, "access_level": GUEST})
    assert added.access_level == GUEST
    with pytest.raises(glexc.GitlabCreateError) as err:
        as_maintainer.members.create({"user_id": make_user("own").id, "access_level": OWNER})
    assert err.value.response_code == 403

    as_developer = developer.client.groups.get(group.id)
    with pytest.raises(glexc.GitlabCreateError) as err:
        as_developer.members.create({"user_id": make_user("late").id, "access_level": GUEST})
    assert err.value.response_code == 403


# --------------------------------------------------------------------------------------------
# project members
# --------------------------------------------------------------------------------------------


def test_project_members(gl: gitlab.Gitlab, make_group, make_project, make_user, root: Any) -> None:
    group = make_group("pm")
    project = make_project(group)
    in_group = make_user("grp")
    in_project = make_user("prj")
    group.members.create({"user_id": in_group.id, "access_level": DEVELOPER})

    # A project in a group has no direct members until some are added.
    assert levels(project.members.list()) == {}

    member = project.members.create({"user_id": in_project.id, "access_level": DEVELOPER})
    assert member.id == in_project.id
    assert member.access_level == DEVELOPER
    assert levels(project.members.list()) == {in_project.id: DEVELOPER}
    assert levels(project.members_all.list(get_all=True)) == {
        root.id: OWNER,
        in_group.id: DEVELOPER,
        in_project.id: DEVELOPER,
    }
    assert in_project.client.projects.get(project.id).id == project.id

    member.access_level = MAINTAINER
    member.save()
    assert project.members.get(in_project.id).access_level == MAINTAINER

    with pytest.raises(glexc.GitlabCreateError) as err:
        project.members.create({"user_id": in_project.id, "access_level": DEVELOPER})
    assert err.value.response_code == 409
    assert err.value.error_message == "Member already exists"

    with pytest.raises(glexc.GitlabCreateError) as err:
        project.members.create({"user_id": in_group.id, "access_level": 33})
    assert err.value.response_code == 400

    project.members.delete(in_project.id)
    assert levels(project.members.list()) == {}
    with pytest.raises(glexc.GitlabGetError) as err:
        in_project.client.projects.get(project.id)
    assert err.value.response_code == 404


# --------------------------------------------------------------------------------------------
# shares
# --------------------------------------------------------------------------------------------


def test_share_group_with_group(gl: gitlab.Gitlab, make_group, make_user) -> None:
    group_a = make_group("sha", visibility="private")
    group_b = make_group("shb", visibility="private")
    member_b = make_user("mb")
    group_b.members.create({"user_id": member_b.id, "access_level": MAINTAINER})

    with pytest.raises(glexc.GitlabGetError) as err:
        member_b.client.groups.get(group_a.id)
    assert err.value.response_code == 404

    group_a.share(group_b.id, DEVELOPER)
    # The response is group A's detail, and python-gitlab updates the object from it.
    assert [link["group_id"] for link in group_a.shared_with_groups] == [group_b.id]

    detail = gl.groups.get(group_a.id)
    assert len(detail.shared_with_groups) == 1
    link = detail.shared_with_groups[0]
    assert link["group_id"] == group_b.id
    assert link["group_name"] == group_b.name
    assert link["group_full_path"] == group_b.full_path
    assert link["group_access_level"] == DEVELOPER
    assert link["expires_at"] is None

    # Direct members of B now reach A, capped at the link's level.
    assert member_b.client.groups.get(group_a.id).id == group_a.id
    assert levels(group_a.members_all.list(get_all=True))[member_b.id] == DEVELOPER
    assert member_b.id not in levels(group_a.members.list())

    group_a.unshare(group_b.id)
    assert gl.groups.get(group_a.id).shared_with_groups == []
    with pytest.raises(glexc.GitlabGetError) as err:
        member_b.client.groups.get(group_a.id)
    assert err.value.response_code == 404


def test_share_group_twice_is_409(make_group) -> None:
    group_a = make_group("sha")
    group_b = make_group("shb")
    group_a.share(group_b.id, DEVELOPER)
    with pytest.raises(glexc.GitlabCreateError) as err:
        group_a.share(group_b.id, REPORTER)
    assert err.value.response_code == 409


def test_share_group_bad_access_level_is_400(make_group) -> None:
    group_a = make_group("sha")
    group_b = make_group("shb")
    with pytest.raises(glexc.GitlabCreateError) as err:
        group_a.share(group_b.id, 33)
    assert err.value.response_code == 400
    # `values: Gitlab::Access.all_values` in GitLab's params: Grape's shape, not the model's.
    assert err.value.error_message == "group_access does not have a valid value"


def test_unshare_missing_link_is_404(make_group) -> None:
    group_a = make_group("sha")
    group_b = make_group("shb")
    with pytest.raises(glexc.GitlabDeleteError) as err:
        group_a.unshare(group_b.id)
    assert err.value.response_code == 404


def test_share_project_with_group(gl: gitlab.Gitlab, make_group, make_project, make_user) -> None:
    home = make_group("home")
    project = make_project(home)
    guests = make_group("guests")
    reader = make_user("rd")
    guests.members.create({"user_id": reader.id, "access_level": MAINTAINER})

    with pytest.raises(glexc.GitlabGetError):
        reader.client.projects.get(project.id)

    project.share(guests.id, REPORTER)
    detail = gl.projects.get(project.id)
    assert len(detail.shared_with_groups) == 1
    link = detail.shared_with_groups[0]
    assert link["group_id"] == guests.id
    assert link["group_name"] == guests.name
    assert link["group_full_path"] == guests.full_path
    assert link["group_access_level"] == REPORTER
    assert link["expires_at"] is None
    assert reader.client.projects.get(project.id).id == project.id

    project.unshare(guests.id)
    assert gl.projects.get(project.id).shared_with_groups == []
    with pytest.raises(glexc.GitlabGetError) as err:
        reader.client.projects.get(project.id)
    assert err.value.response_code == 404


def test_share_project_with_own_group_is_409(make_group, make_project) -> None:
    home = make_group("home")
    project = make_project(home)
    with pytest.raises(glexc.GitlabCreateError) as err:
        project.share(home.id, REPORTER)
    assert err.value.response_code == 409


# --------------------------------------------------------------------------------------------
# Organizations
# --------------------------------------------------------------------------------------------


def make_organization(gl: gitlab.Gitlab) -> dict[str, Any]:
    path = tag("org")
    org = gl.http_post("/organizations", post_data={"name": f"Org {path}", "path": path})
    assert isinstance(org, dict)
    assert org["path"] == path
    assert org["name"] == f"Org {path}"
    return org


def test_create_organization_and_group_in_it(gl: gitlab.Gitlab, make_group, url: str) -> None:
    org = make_organization(gl)
    assert isinstance(org["id"], int)
    assert org["web_url"] == f"{url}/-/organizations/{org['path']}"

    top = make_group("orgtop", organization_id=org["id"])
    assert top.organization_id == org["id"]
    sub = make_group("orgsub", parent=top)
    assert sub.organization_id == org["id"]
    assert gl.groups.get(sub.id).full_path == f"{top.path}/{sub.path}"


def test_sharing_across_organizations_is_refused(
    gl: gitlab.Gitlab, make_group, make_project
) -> None:
    org = make_organization(gl)
    here = make_group("here")
    there = make_group("there", organization_id=org["id"])
    assert here.organization_id != there.organization_id

    for shared, invited in ((here, there), (there, here)):
        with pytest.raises(glexc.GitlabCreateError) as err:
            shared.share(invited.id, DEVELOPER)
        assert 400 <= err.value.response_code < 500
        assert gl.groups.get(shared.id).shared_with_groups == []

    project = make_project(here)
    with pytest.raises(glexc.GitlabCreateError) as err:
        project.share(there.id, REPORTER)
    assert 400 <= err.value.response_code < 500
    assert gl.projects.get(project.id).shared_with_groups == []


def test_moving_across_organizations_is_refused(
    gl: gitlab.Gitlab, make_group, make_project
) -> None:
    org = make_organization(gl)
    here = make_group("here")
    sub = make_group("sub", parent=here)
    there = make_group("there", organization_id=org["id"])
    project = make_project(here)

    with pytest.raises(glexc.GitlabGroupTransferError) as err:
        sub.transfer(there.id)
    assert 400 <= err.value.response_code < 500
    assert gl.groups.get(sub.id).parent_id == here.id

    with pytest.raises(glexc.GitlabTransferProjectError) as err:
        project.transfer(there.id)
    assert 400 <= err.value.response_code < 500
    assert gl.projects.get(project.id).namespace["id"] == here.id


# --------------------------------------------------------------------------------------------
# projects
# --------------------------------------------------------------------------------------------


def test_create_project_in_group(gl: gitlab.Gitlab, make_group, url: str) -> None:
    group = make_group("prj")
    name = tag("proj")
    project = gl.projects.create({"name": name, "namespace_id": group.id})
    assert project.name == name
    assert project.path == name
    assert project.path_with_namespace == f"{group.full_path}/{name}"
    assert project.name_with_namespace == f"{group.name} / {name}"
    assert project.namespace["id"] == group.id
    assert project.namespace["kind"] == "group"
    assert project.namespace["full_path"] == group.full_path
    assert project.visibility == "private"
    assert project.web_url == f"{url}/{group.full_path}/{name}"

    assert gl.projects.get(project.id).path_with_namespace == project.path_with_namespace
    by_path = gl.projects.get(f"{group.full_path}/{name}")  # sent as group%2Fname
    assert by_path.id == project.id


def test_project_in_subgroup_namespace(make_group, make_project) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    project = make_project(sub)
    assert project.namespace["id"] == sub.id
    assert project.namespace["parent_id"] == top.id
    assert project.path_with_namespace == f"{top.path}/{sub.path}/{project.path}"


def test_duplicate_project_is_400(gl: gitlab.Gitlab, make_group, make_project) -> None:
    group = make_group("prj")
    project = make_project(group)
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.projects.create({"name": project.name, "namespace_id": group.id})
    assert err.value.response_code == 400
    assert "has already been taken" in str(err.value.error_message)


def test_list_group_projects(make_group, make_project) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    direct = make_project(top)
    nested = make_project(sub)

    assert ids(top.projects.list()) == {direct.id}
    assert ids(top.projects.list(include_subgroups=True)) == {direct.id, nested.id}
    assert ids(sub.projects.list()) == {nested.id}


def test_search_projects(gl: gitlab.Gitlab, make_group, make_project) -> None:
    group = make_group("srch")
    word = uuid.uuid4().hex[:10]
    wanted = make_project(group, prefix=f"s{word}")
    make_project(group)
    assert ids(gl.projects.list(search=word, get_all=True)) == {wanted.id}


def test_membership_projects(make_group, make_project, make_user) -> None:
    top = make_group("top")
    sub = make_group("sub", parent=top)
    elsewhere = make_group("else")
    direct = make_project(top)
    nested = make_project(sub)
    make_project(elsewhere)
    dev = make_user("dev")
    top.members.create({"user_id": dev.id, "access_level": DEVELOPER})

    assert ids(dev.client.projects.list(membership=True, get_all=True)) == {direct.id, nested.id}


def test_update_project_description(gl: gitlab.Gitlab, make_group, make_project) -> None:
    project = make_project(make_group("upd"))
    project.description = "described by compat"
    project.save()
    assert project.description == "described by compat"
    assert gl.projects.get(project.id).description == "described by compat"


def test_project_transfer(gl: gitlab.Gitlab, make_group, make_project) -> None:
    source = make_group("src")
    target = make_group("dst")
    project = make_project(source)

    project.transfer(target.id)
    moved = gl.projects.get(project.id)
    assert moved.path_with_namespace == f"{target.full_path}/{project.path}"
    assert moved.namespace["id"] == target.id
    assert ids(source.projects.list()) == set()
    assert ids(target.projects.list()) == {project.id}


def test_delete_project(gl: gitlab.Gitlab, make_group, make_project) -> None:
    project = make_project(make_group("del"))
    response = gl.http_delete(f"/projects/{project.id}")
    assert response.status_code == 202
    assert response.json() == {"message": "202 Accepted"}
    with pytest.raises(glexc.GitlabGetError) as err:
        gl.projects.get(project.id)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Project Not Found"


def test_projects_keyset_pagination(gl: gitlab.Gitlab, make_group, make_project) -> None:
    group = make_group("ks")
    mine = [make_project(group) for _ in range(3)]

    listed = gl.projects.list(
        pagination="keyset", order_by="id", sort="asc", per_page=2, get_all=True
    )
    listed_ids = [p.id for p in listed]
    assert listed_ids == sorted(set(listed_ids)), "not strictly ascending by id"
    assert ids(mine) <= set(listed_ids)

    first = raw_get(gl, "/projects", pagination="keyset", order_by="id", sort="asc", per_page=2)
    assert len(first.json()) == 2
    assert "id_after=" in first.links["next"]["url"]


def test_projects_keyset_needs_order_by_id(gl: gitlab.Gitlab) -> None:
    with pytest.raises(glexc.GitlabListError) as err:
        gl.projects.list(pagination="keyset", order_by="name", per_page=2)
    assert err.value.response_code == 405
    assert err.value.error_message == (
        "Keyset pagination is not yet available for this type of request"
    )


# --------------------------------------------------------------------------------------------
# namespaces
# --------------------------------------------------------------------------------------------


def test_namespaces_list_and_get(gl: gitlab.Gitlab, make_group, make_user, url: str) -> None:
    group = make_group("ns")
    found = [ns for ns in gl.namespaces.list(search=group.path, get_all=True) if ns.id == group.id]
    assert len(found) == 1
    assert found[0].kind == "group"
    assert found[0].full_path == group.full_path

    ns = gl.namespaces.get(group.id)
    assert ns.id == group.id
    assert ns.kind == "group"
    assert ns.path == group.path
    assert ns.full_path == group.full_path
    assert ns.parent_id is None
    assert ns.web_url == f"{url}/groups/{group.full_path}"
    assert gl.namespaces.get(group.path).id == group.id

    u = make_user("ns")
    user_ns = gl.namespaces.get(u.username)
    assert user_ns.kind == "user"
    assert user_ns.path == u.username
    assert u.username in {n.path for n in gl.namespaces.list(search=u.username, get_all=True)}


def test_namespace_exists(gl: gitlab.Gitlab, make_group) -> None:
    top = make_group("ex")
    sub = make_group("exsub", parent=top)

    taken = gl.http_get(f"/namespaces/{top.path}/exists")
    assert taken["exists"] is True
    assert isinstance(taken["suggests"], list) and len(taken["suggests"]) >= 1
    assert top.path not in taken["suggests"]

    free = gl.http_get(f"/namespaces/{tag('free')}/exists")
    assert free == {"exists": False, "suggests": []}

    # Without parent_id only top-level paths are checked.
    assert gl.http_get(f"/namespaces/{sub.path}/exists")["exists"] is False
    scoped = gl.http_get(f"/namespaces/{sub.path}/exists", query_data={"parent_id": top.id})
    assert scoped["exists"] is True

    assert gl.namespaces.exists(top.path).exists is True


def test_namespace_of_private_group_hidden_from_outsider(make_group, make_user) -> None:
    group = make_group("ns", visibility="private")
    outsider = make_user("out")
    with pytest.raises(glexc.GitlabGetError) as err:
        outsider.client.namespaces.get(group.id)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Namespace Not Found"


# --------------------------------------------------------------------------------------------
# visibility
# --------------------------------------------------------------------------------------------


def test_private_group_is_404_for_outsider(make_group, make_user) -> None:
    group = make_group("priv", visibility="private")
    outsider = make_user("out")
    with pytest.raises(glexc.GitlabGetError) as err:
        outsider.client.groups.get(group.id)
    assert err.value.response_code == 404
    assert err.value.error_message == "404 Group Not Found"
    with pytest.raises(glexc.GitlabGetError) as err:
        outsider.client.groups.get(group.full_path)
    assert err.value.response_code == 404


def test_public_group_is_visible_to_outsider(make_group, make_user) -> None:
    word = uuid.uuid4().hex[:10]
    public = make_group(f"v{word}", visibility="public")
    private = make_group(f"v{word}", visibility="private")
    outsider = make_user("out")

    seen = outsider.client.groups.get(public.id)
    assert seen.id == public.id
    assert seen.visibility == "public"
    # GET /groups for a non-admin lists only their own groups unless all_available=true.
    assert ids(outsider.client.groups.list(search=word, get_all=True)) == set()
    listed = outsider.client.groups.list(search=word, all_available=True, get_all=True)
    assert ids(listed) == {public.id}
    assert private.id not in ids(listed)


def test_subgroup_cannot_be_more_visible_than_parent(gl: gitlab.Gitlab, make_group) -> None:
    parent = make_group("vis", visibility="private")
    for visibility in ("public", "internal"):
        path = tag("vsub")
        with pytest.raises(glexc.GitlabCreateError) as err:
            gl.groups.create(
                {"name": path, "path": path, "parent_id": parent.id, "visibility": visibility}
            )
        assert err.value.response_code == 400
        assert "visibility" in str(err.value.error_message)
    assert ids(parent.subgroups.list()) == set()


def test_project_cannot_be_more_visible_than_group(gl: gitlab.Gitlab, make_group) -> None:
    group = make_group("vis", visibility="private")
    with pytest.raises(glexc.GitlabCreateError) as err:
        gl.projects.create({"name": tag("vp"), "namespace_id": group.id, "visibility": "public"})
    assert err.value.response_code == 400
    assert ids(group.projects.list()) == set()
