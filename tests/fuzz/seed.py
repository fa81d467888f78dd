"""Waits for the server, adds a public Group with a Project and a plain User, and prints that
User's token, for tests/fuzz/run.sh."""
import json
import sys
import time
import urllib.error
import urllib.request

base, admin = sys.argv[1], sys.argv[2]


def call(method, path, body=None, token=admin):
    request = urllib.request.Request(
        base + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"PRIVATE-TOKEN": token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


deadline = time.monotonic() + 20
while True:
    try:
        call("GET", "/version")
        break
    except (urllib.error.URLError, ConnectionError, OSError):
        if time.monotonic() > deadline:
            sys.exit("orgcells did not start")
        time.sleep(0.2)

group = call("POST", "/groups", {"name": "Fuzz", "path": "fuzz", "visibility": "public"})
call("POST", "/projects", {"name": "target", "namespace_id": group["id"], "visibility": "public"})
user = call("POST", "/users", {"username": "sasha", "email": "sasha@example.com",
                               "name": "Sasha", "password": "fuzz-Sasha-password-01"})
call("POST", f"/groups/{group['id']}/members", {"user_id": user["id"], "access_level": 30})
token = call("POST", f"/users/{user['id']}/personal_access_tokens",
             {"name": "fuzz", "scopes": ["api"]})
print(token["token"])
