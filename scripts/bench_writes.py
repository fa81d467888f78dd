"""Set-up and the visible-after-write check for scripts/bench-writes."""
import http.client
import json
import statistics
import sys
import time


class Api:
    def __init__(self, port, token):
        self.conn = http.client.HTTPConnection("127.0.0.1", int(port))
        self.token = token

    def call(self, method, path, body=None, sudo=None):
        headers = {"PRIVATE-TOKEN": self.token, "Content-Type": "application/json"}
        if sudo is not None:
            headers["Sudo"] = str(sudo)
        self.conn.request(method, "/api/v4" + path, json.dumps(body) if body else None, headers)
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, resp.headers, json.loads(data) if data else None


def setup(port, token, users_file):
    api = Api(port, token)
    status, _, group = api.call("POST", "/groups", {
        "name": f"bench writes {int(time.time())}", "path": f"bench-writes-{int(time.time())}",
        "visibility": "private"})
    assert status == 201, group
    ids, after = [], 0
    while len(ids) < 4000:
        status, _, page = api.call(
            "GET", f"/users?pagination=keyset&order_by=id&sort=asc&per_page=100&id_after={after}")
        assert status == 200 and page, page
        ids += [u["id"] for u in page if not u.get("is_admin") and u["username"] != "ghost"]
        after = page[-1]["id"]
    with open(users_file, "w") as out:
        out.write("\n".join(str(i) for i in ids[:4000]) + "\n")
    print(group["id"])


def clear(port, token, group):
    """Removes every Member of the Group but its Owner, so each run starts from none."""
    api = Api(port, token)
    while True:
        _, _, page = api.call("GET", f"/groups/{group}/members?per_page=100")
        added = [m["id"] for m in page if m["access_level"] != 50]
        if not added:
            return
        for user in added:
            api.call("DELETE", f"/groups/{group}/members/{user}")


def visible(port, token, group, users_file):
    """Tops the Group up to 10,000 Projects, then times adding a Member and their next read."""
    api = Api(port, token)
    status, headers, _ = api.call("GET", f"/groups/{group}/projects?per_page=1")
    # GitLab leaves X-Total out past 10,000 rows.
    total = int(headers.get("X-Total") or 10000)
    while total < 10000:
        status, _, body = api.call("POST", "/projects", {
            "name": f"fill-{total}", "namespace_id": int(group)})
        assert status == 201, body
        total += 1
    _, _, project = api.call("GET", f"/groups/{group}/projects?per_page=1")
    project = project[0]["id"]
    users = [int(line) for line in open(users_file)][-50:]
    add_ms, read_ms = [], []
    for user in users:
        status, _, _ = api.call("GET", f"/projects/{project}", sudo=user)
        assert status == 404, f"user {user} sees project {project} before being added"
        start = time.perf_counter()
        status, _, body = api.call("POST", f"/groups/{group}/members",
                                   {"user_id": user, "access_level": 30})
        added = time.perf_counter()
        assert status == 201, body
        status, _, body = api.call("GET", f"/projects/{project}", sudo=user)
        read = time.perf_counter()
        assert status == 200, f"user {user} cannot read project {project} right after being added"
        add_ms.append((added - start) * 1000)
        read_ms.append((read - added) * 1000)
        api.call("DELETE", f"/groups/{group}/members/{user}")
    print(f"\nadding a Member to a Group of {total} Projects, 50 times, one connection: "
          f"median {statistics.median(add_ms):.2f} ms, max {max(add_ms):.2f} ms; "
          f"the next read of a private Project as that Member: 200 every time, "
          f"median {statistics.median(read_ms):.2f} ms")


if __name__ == "__main__":
    {"setup": setup, "clear": clear, "visible": visible}[sys.argv[1]](*sys.argv[2:])
