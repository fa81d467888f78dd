"""The move benchmark's client (see scripts/bench-move): builds the Organization through the
router, then moves it while a writer keeps creating subgroups in it, and prints what it saw."""

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROUTER, TOKEN, PROJECTS, USERS = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        ROUTER + "/api/v4" + path,
        data=data,
        method=method,
        headers={"PRIVATE-TOKEN": TOKEN, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def must(method, path, body=None, status=201):
    got, answer = call(method, path, body)
    if got != status:
        raise SystemExit(f"{method} {path}: {got} {answer}")
    return answer


started = time.monotonic()
org = must("POST", "/organizations", {"name": "Moving", "path": "moving", "cell_id": 1})
groups = [
    must("POST", "/groups", {"name": f"team{i}", "path": f"team{i}", "organization_id": org["id"]})
    for i in range(10)
]
with ThreadPoolExecutor(8) as pool:
    projects = list(
        pool.map(
            lambda i: must(
                "POST",
                "/projects",
                {"name": f"p{i}", "path": f"p{i}", "namespace_id": groups[i % len(groups)]["id"]},
            ),
            range(PROJECTS),
        )
    )
    users = list(
        pool.map(
            lambda i: must(
                "POST",
                "/users",
                {
                    "username": f"member{i}",
                    "email": f"member{i}@example.com",
                    "name": f"Member {i}",
                    "password": "bench-password-1",
                },
            ),
            range(USERS),
        )
    )
    # Every User a member of every tenth Project: USERS * PROJECTS / 10 memberships.
    pairs = [(u, p) for u in users for p in projects[users.index(u) % 10 :: 10]]
    list(
        pool.map(
            lambda pair: must(
                "POST",
                f"/projects/{pair[1]['id']}/members",
                {"user_id": pair[0]["id"], "access_level": 30},
            ),
            pairs,
        )
    )
print(
    f"built: {len(projects)} Projects, {len(pairs)} memberships, {len(users)} Users "
    f"in {time.monotonic() - started:.0f} s"
)

# The writer: subgroups of the first Group, one after another, each retried while held (503).
stop = threading.Event()
acknowledged = []
held = [0]


def write():
    n = 0
    while not stop.is_set():
        n += 1
        body = {"name": f"w{n}", "path": f"w{n}", "parent_id": groups[0]["id"]}
        while True:
            got, answer = call("POST", "/groups", body)
            if got == 201:
                acknowledged.append((time.monotonic(), answer["id"]))
                break
            if got == 503:
                held[0] += 1
                time.sleep(0.01)
                continue
            raise SystemExit(f"write w{n}: {got} {answer}")


writer = threading.Thread(target=write)
writer.start()
time.sleep(1)
moved_at = time.monotonic()
must("POST", f"/admin/organizations/{org['id']}/move", {"cell_id": 2}, status=202)
while True:
    status, move = call("GET", f"/admin/organizations/{org['id']}/move")
    if status == 200 and move["state"] != "running":
        break
    time.sleep(0.05)
finished_at = time.monotonic()
time.sleep(1)
stop.set()
writer.join()
if move["state"] != "finished":
    raise SystemExit(f"the move ended {move}")
during = [t for t, _ in acknowledged if moved_at <= t <= finished_at + 1]
gaps = [b - a for a, b in zip(during, during[1:])]
lost = [i for _, i in acknowledged if call("GET", f"/groups/{i}")[0] != 200]
print(f"move: {finished_at - moved_at:.2f} s from the request to finished")
print(
    f"writes: {len(acknowledged)} acknowledged, {held[0]} answers 503 (held), {len(lost)} lost; "
    f"longest time without an acknowledged write during the move: {max(gaps) * 1000:.0f} ms"
)
