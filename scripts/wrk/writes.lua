-- The write mix against one Group: MODE is "members" (add a Member, remove one added LAG
-- requests earlier), "projects" (create a Project) or "mix" (the three in turn).
-- GROUP is the Group's id; USERS_FILE holds one user id per line, none a Member of GROUP.
local token = os.getenv("TOKEN")
local group = os.getenv("GROUP")
local mode = os.getenv("MODE") or "mix"
local LAG = 1024
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  thread:set("count", tonumber(os.getenv("THREADS") or "2"))
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("USERS_FILE")) do
    table.insert(all, line)
  end
  -- Each thread adds and removes its own Users, so no two threads touch the same Member.
  users = {}
  for i = index, #all, count do
    table.insert(users, all[i])
  end
  n = 0
  added = 0
  removed = 0
  headers = {["PRIVATE-TOKEN"] = token, ["Content-Type"] = "application/json"}
end

local function add_member()
  local user = users[(added % #users) + 1]
  added = added + 1
  return wrk.format("POST", "/api/v4/groups/" .. group .. "/members", headers,
    '{"user_id":' .. user .. ',"access_level":30}')
end

local function remove_member()
  local user = users[(removed % #users) + 1]
  removed = removed + 1
  return wrk.format("DELETE", "/api/v4/groups/" .. group .. "/members/" .. user, headers)
end

local function create_project()
  return wrk.format("POST", "/api/v4/projects", headers,
    '{"name":"w-' .. index .. '-' .. n .. '-' .. os.time() .. '","namespace_id":' .. group .. '}')
end

request = function()
  n = n + 1
  if mode == "projects" then
    return create_project()
  end
  local step = (mode == "members") and (n % 2) or (n % 3)
  if step == 2 then
    return create_project()
  end
  -- Remove only what was added LAG requests ago, long since answered.
  if step == 0 and added - removed > LAG then
    return remove_member()
  end
  return add_member()
end

-- The first few failures, to say why.
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.stderr:write("non-2xx " .. status .. ": " .. body .. "\n")
  end
end
