-- Creates a subgroup of GROUP with a fresh path on every request, as TOKEN's User: a write that
-- moves the Cell's write generation, so the next request reads its caller's standing afresh.
local token = os.getenv("TOKEN")
local group = os.getenv("GROUP")
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

function init(args)
  n = 0
  headers = {["PRIVATE-TOKEN"] = token, ["Content-Type"] = "application/json"}
end

request = function()
  n = n + 1
  local path = "w-" .. index .. "-" .. n .. "-" .. os.time()
  return wrk.format("POST", "/api/v4/groups", headers,
    '{"name":"' .. path .. '","path":"' .. path .. '","parent_id":' .. group .. '}')
end
