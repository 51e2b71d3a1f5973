-- Counts one upstream attempt in 1-second buckets and bans the targets whose window is over the threshold.
-- KEYS[1] = channel window, KEYS[2] = bans hash, KEYS[3..] = one window per target (channel|model, channel#key)
-- ARGV[1] = second, ARGV[2] = ok (1/0), ARGV[3] = window seconds, ARGV[4] = min requests, ARGV[5] = error rate,
-- ARGV[6] = now ms, ARGV[7] = may ban (1/0: the channel's autoBan), then per target: field, ban JSON (with its
-- until/nextProbeAt already computed)
local sec = tonumber(ARGV[1])
local ok = tonumber(ARGV[2])
local windowSec = tonumber(ARGV[3])
local minRequests = tonumber(ARGV[4])
local threshold = tonumber(ARGV[5])
local now = tonumber(ARGV[6])
local mayBan = tonumber(ARGV[7]) == 1
local ttl = windowSec * 2

local function add(key)
  redis.call('HINCRBY', key, sec .. ':r', 1)
  if ok == 0 then redis.call('HINCRBY', key, sec .. ':e', 1) end
  redis.call('EXPIRE', key, ttl)
end

local function stats(key)
  local all = redis.call('HGETALL', key)
  local r, e = 0, 0
  for i = 1, #all, 2 do
    local s, kind = string.match(all[i], '^(%d+):(%a)$')
    s = tonumber(s)
    if s and s > sec - windowSec then
      if kind == 'r' then r = r + tonumber(all[i + 1]) else e = e + tonumber(all[i + 1]) end
    elseif s then
      redis.call('HDEL', key, all[i])
    end
  end
  return r, e
end

add(KEYS[1])
local banned = {}
for i = 3, #KEYS do
  local key = KEYS[i]
  local field = ARGV[8 + (i - 3) * 2]
  local banJson = ARGV[9 + (i - 3) * 2]
  add(key)
  if ok == 0 and mayBan then
    local current = redis.call('HGET', KEYS[2], field)
    local active = false
    if current then
      local b = cjson.decode(current)
      active = tonumber(b['until']) > now
    end
    if not active then
      local r, e = stats(key)
      if r >= minRequests and e / r >= threshold then
        redis.call('HSET', KEYS[2], field, banJson)
        table.insert(banned, banJson)
      end
    end
  end
end
return banned
