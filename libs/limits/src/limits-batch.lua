-- Shared head of the limit scripts that take a batch of requests (LuaScript puts it before limits-acquire.lua and
-- limits-settle.lua): the store sends the calls of one event-loop turn together (call-batcher.ts) and the script
-- takes them one after the other, each as if it were a script of its own.

-- Numbers go back to Redis as integer strings: Lua's default formatting would turn large ones into 1.7e+12.
local function int(n)
  return string.format('%d', n)
end

-- A request's clock: its own 'now' (tests), else Redis TIME, read once per batch.
local serverNow
local function clock(arg)
  local now = tonumber(arg)
  if now then
    return now
  end
  if not serverNow then
    local t = redis.call('TIME')
    serverNow = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return serverNow
end

-- Runs `one(k0, a0, #scopes, #accounts)` for each of the ARGV[1] requests of the batch: request n's keys follow
-- KEYS[k0], its values ARGV[a0] (the first request's after the `shared` values); every request has its #scopes at
-- ARGV[a0 + 3] and #accounts at ARGV[a0 + 4], and `size(#scopes, #accounts)` answers how many keys and values it
-- has. Answers one reply per request: `one`'s, or the error message (a string) when it raised; a failure stops only
-- its own request (what it wrote before failing stays, as it would in a script of its own).
local function eachRequest(shared, one, size)
  local replies = {}
  local k0, a0 = 0, shared
  for n = 1, tonumber(ARGV[1]) do
    local nScopes, nAccounts = tonumber(ARGV[a0 + 3]), tonumber(ARGV[a0 + 4])
    local ok, result = pcall(one, k0, a0, nScopes, nAccounts)
    if ok then
      replies[n] = result
    elseif type(result) == 'table' and result.err then
      replies[n] = result.err
    else
      replies[n] = tostring(result)
    end
    local nKeys, nValues = size(nScopes, nAccounts)
    k0 = k0 + nKeys
    a0 = a0 + nValues
  end
  return replies
end
