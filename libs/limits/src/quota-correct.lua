-- Applies the reconciler's corrections, each atomically and only within the counter's life (epoch) it was
-- computed in: add the delta to the counter, forget the pending entries whose stored text is still what the
-- reconciler saw. Key layout: limits.keys.ts.
--
-- KEYS: per correction: quota string, pending hash.
-- ARGV: [1] quota idle TTL ms, then per correction: epoch ('' = none), delta micros, #forget, then #forget pairs
--       of (requestId, exact stored text).
-- Returns per correction 1 (applied) | 0 (the counter is gone or was re-initialised since the snapshot).
local function int(n)
  return string.format('%d', n)
end

local ttl = ARGV[1]
local a = 2
local out = {}
for i = 1, #KEYS, 2 do
  local epoch, delta, nForget = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local value = redis.call('GET', KEYS[i])
  local current = redis.call('HGET', KEYS[i + 1], '#epoch') or ''
  if value and current == epoch then
    -- The counter and its pending hash live and expire together.
    redis.call('SET', KEYS[i], int(tonumber(value) + delta), 'PX', ttl)
    redis.call('PEXPIRE', KEYS[i + 1], ttl)
    for f = 1, nForget do
      local id, text = ARGV[a + 2 + f * 2 - 1], ARGV[a + 2 + f * 2]
      if redis.call('HGET', KEYS[i + 1], id) == text then
        redis.call('HDEL', KEYS[i + 1], id)
      end
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
  a = a + 3 + nForget * 2
end
return out
