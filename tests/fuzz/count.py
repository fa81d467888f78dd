"""What a schemathesis run sent, from its NDJSON events: requests and their status codes."""
import json
import sys
from collections import Counter

statuses = Counter()
with open(sys.argv[1]) as events:
    for line in events:
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        for interaction in finished["recorder"].get("interactions", {}).values():
            response = interaction.get("response") or {}
            statuses[response.get("status_code", "no answer")] += 1
total = sum(statuses.values())
print(f"requests sent: {total}; by status: " +
      ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items(), key=str)))
# A campaign that sent nothing tested nothing.
if total == 0:
    sys.exit(f"no request was sent (no interaction recorded in {sys.argv[1]}): the campaign tested nothing")
# A campaign that was refused at the door tested nothing.
if statuses[401] * 2 > total:
    sys.exit(f"{statuses[401]} of {total} requests were refused with 401: the token did not work")
