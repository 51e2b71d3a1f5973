-- Reads quota counters with their pending charges in one atomic step (the reconciler compares them with the
-- ledger). Key layout: limits.keys.ts.
--
-- KEYS: per account: quota string, pending hash.
-- ARGV: [1] now ms ('' = Redis TIME).
-- Returns {now, then per account: {exists(0|1), remaining micros, epoch ('' when none), {field, value, ...}}}.
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local out = { string.format('%d', now) }
for i = 1, #KEYS, 2 do
  local value = redis.call('GET', KEYS[i])
  if value then
    local flat = redis.call('HGETALL', KEYS[i + 1])
    local epoch, pending = '', {}
    for f = 1, #flat, 2 do
      if flat[f] == '#epoch' then
        epoch = flat[f + 1]
      else
        pending[#pending + 1] = flat[f]
        pending[#pending + 1] = flat[f + 1]
      end
    end
    out[#out + 1] = { 1, value, epoch, pending }
  else
    out[#out + 1] = { 0, '0', '', {} }
  end
end
return out
