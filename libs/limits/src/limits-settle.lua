-- Atomic settle/release of one lease (release = settle with 0 tokens and 0 cost). Idempotent: only the call that
-- deletes the lease record applies anything; every call answers the accounts' remaining micros.
-- Rules mirror MemoryLimitStore.settleSync; key layout: limits.keys.ts.
--
-- KEYS: [1] lease record, then per scope: tpm hash, concurrency zset, then per account: quota string, then per
--       account: pending hash.
-- ARGV: [1] now ms ('' = Redis TIME) [2] requestId [3] #scopes [4] #accounts [5] acquiredAt ms
--       [6] token delta (actual - estimated) [7] refund micros (reserved - actual cost; negative = charge)
--       [8] bucket ms [9] window ms [10] counter TTL ms [11] quota idle TTL ms [12] actual cost micros
-- Returns {applied(0|1), then per account: exists(0|1), remaining micros}.

local function int(n)
  return string.format('%d', n)
end

local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local requestId = ARGV[2]
local nScopes = tonumber(ARGV[3])
local nAccounts = tonumber(ARGV[4])
local acquiredAt = tonumber(ARGV[5])
local tokenDelta = tonumber(ARGV[6])
local refund = tonumber(ARGV[7])
local bucketMs = tonumber(ARGV[8])
local windowMs = tonumber(ARGV[9])
local counterTtl = ARGV[10]
local quotaIdleTtl = ARGV[11]
local cost = tonumber(ARGV[12])
local accountKeys = 1 + nScopes * 2
local pendingKeys = accountKeys + nAccounts

local applied = redis.call('DEL', KEYS[1])
if applied == 1 then
  local current = math.floor(now / bucketMs)
  local oldest = current - windowMs / bucketMs + 1
  local acquiredBucket = math.floor(acquiredAt / bucketMs)
  for i = 1, nScopes do
    local k = 1 + (i - 1) * 2
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
