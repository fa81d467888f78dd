-- Requests a random GPT subgroup path: PATH_TEMPLATE has %d where the subgroup number goes.
local template = os.getenv("PATH_TEMPLATE")
local count = tonumber(os.getenv("SUBGROUPS") or "250")
local token = os.getenv("TOKEN")
math.randomseed(os.time())
request = function()
  local path = string.format(template, math.random(1, count))
  return wrk.format("GET", path, {["PRIVATE-TOKEN"] = token, ["Accept"] = "application/json"})
end
