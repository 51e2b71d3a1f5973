-- Billing's debit transaction has committed these requests: on each counter, fold the settled entries of exactly the
-- billed cost into one billed entry for that transaction (added to, if present). The counter's value, epoch and TTL
-- are not touched. Key layout: limits.keys.ts.
--
-- KEYS: per account: pending hash.
-- ARGV: [1] billed entry's field ('#tx:<txid>'), [2] now ms ('' = Redis TIME), then per account: #entries, then
--       #entries triples of (request index, requestId, cost micros).
-- Returns how many distinct request indexes had at least one entry folded.
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local field = ARGV[1]
local a = 3
local seen, confirmed = {}, 0
for i = 1, #KEYS do
  local n = tonumber(ARGV[a])
  local sum = 0
  for e = 1, n do
    local index, id, cost = ARGV[a + e * 3 - 2], ARGV[a + e * 3 - 1], ARGV[a + e * 3]
    local text = redis.call('HGET', KEYS[i], id)
    local prefix = 'S' .. cost .. '@'
    if text and string.sub(text, 1, #prefix) == prefix then
      redis.call('HDEL', KEYS[i], id)
      sum = sum + tonumber(cost)
      if not seen[index] then
        seen[index] = true
        confirmed = confirmed + 1
      end
    end
  end
  if sum > 0 then
    local before = redis.call('HGET', KEYS[i], field)
    if before then sum = sum + tonumber(string.match(before, '^B(-?%d+)@')) end
    redis.call('HSET', KEYS[i], field, string.format('B%d@%d', sum, now))
  end
  a = a + 1 + n * 3
end
return confirmed
