-- Atomic settle/release of one or more leases (release = settle with 0 tokens and 0 cost), one after the other (run
-- after limits-batch.lua: int, clock, eachRequest). Each is idempotent: only the call that deletes the lease record
-- applies anything; every call answers the accounts' remaining micros.
-- Rules mirror MemoryLimitStore.settleSync; key layout: limits.keys.ts.
--
-- ARGV: [1] #leases [2] bucket ms [3] window ms [4] counter TTL ms [5] quota idle TTL ms, then per lease 8 values:
--       now ms ('' = Redis TIME), requestId, #scopes, #accounts, acquiredAt ms, token delta (actual - estimated),
--       refund micros (reserved - actual cost; negative = charge), actual cost micros
-- KEYS: per lease, in turn: lease record, then per scope: tpm hash, concurrency zset, then per account: quota string,
--       then per account: pending hash.
-- Returns per lease: {applied(0|1), then per account: exists(0|1), remaining micros}, or the error message (a string)
--       when that lease's settle failed.

local bucketMs = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local counterTtl = ARGV[4]
local quotaIdleTtl = ARGV[5]

-- One lease: its keys start after KEYS[k0], its values after ARGV[a0].
local function settle(k0, a0, nScopes, nAccounts)
  local now = clock(ARGV[a0 + 1])
  local requestId = ARGV[a0 + 2]
  local acquiredAt = tonumber(ARGV[a0 + 5])
  local tokenDelta = tonumber(ARGV[a0 + 6])
  local refund = tonumber(ARGV[a0 + 7])
  local cost = tonumber(ARGV[a0 + 8])
  local leaseKey = KEYS[k0 + 1]
  local accountKeys = k0 + 1 + nScopes * 2
  local pendingKeys = accountKeys + nAccounts

  local applied = redis.call('DEL', leaseKey)
  if applied == 1 then
    local current = math.floor(now / bucketMs)
    local oldest = current - windowMs / bucketMs + 1
    local acquiredBucket = math.floor(acquiredAt / bucketMs)
    for i = 1, nScopes do
      local k = k0 + 1 + (i - 1) * 2
      redis.call('ZREM', KEYS[k + 2], requestId)
      if tokenDelta < 0 then
        -- Give back unused estimate in the bucket it was counted in, if that bucket is still in the window.
        if acquiredBucket >= oldest then
          local counted = tonumber(redis.call('HGET', KEYS[k + 1], int(acquiredBucket)))
          if counted then
            redis.call('HSET', KEYS[k + 1], int(acquiredBucket), int(math.max(0, counted + tokenDelta)))
          end
        end
      elseif tokenDelta > 0 then
        -- Tokens beyond the estimate were produced up to now: count them now, for a full window.
        redis.call('HINCRBY', KEYS[k + 1], int(current), int(tokenDelta))
        redis.call('PEXPIRE', KEYS[k + 1], counterTtl)
      end
    end
    for j = 1, nAccounts do
      local value = redis.call('GET', KEYS[accountKeys + j])
      local pending = KEYS[pendingKeys + j]
      -- A deleted account is re-read from the DB's view, which will include this request once billed.
      if value then
        -- Reserved in this life of the counter: refund the difference. Not there: the counter was re-initialised
        -- from the DB's view since (which this unbilled request is not in), so charge its whole cost.
        local delta = -cost
        if redis.call('HEXISTS', pending, requestId) == 1 then
          delta = refund
        end
        redis.call('SET', KEYS[accountKeys + j], int(tonumber(value) + delta), 'PX', quotaIdleTtl)
        if cost > 0 then
          redis.call('HSET', pending, requestId, 'S' .. int(cost) .. '@' .. int(now))
          redis.call('PEXPIRE', pending, quotaIdleTtl)
        else
          redis.call('HDEL', pending, requestId)
        end
      end
    end
  end

  local out = { applied }
  for j = 1, nAccounts do
    local value = redis.call('GET', KEYS[accountKeys + j])
    if value then
      out[#out + 1] = 1
      out[#out + 1] = tonumber(value)
    else
      out[#out + 1] = 0
      out[#out + 1] = 0
    end
  end
  return out
end

return eachRequest(5, settle, function(nScopes, nAccounts)
  return 1 + nScopes * 2 + nAccounts * 2, 8
end)
