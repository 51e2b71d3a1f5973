-- Atomic acquire for one or more requests, one after the other (run after limits-batch.lua: int, clock,
-- eachRequest). Each checks concurrency, RPM and TPM of every scope and the quota of every account,
-- then (only if all pass) counts the request and reserves its estimated cost. Key layout: limits.keys.ts. The
-- sliding-window rules are the ones in sliding-window.util.ts (MemoryLimitStore); keep both in step.
--
-- ARGV: [1] #requests [2] bucket ms [3] window ms [4] counter TTL ms [5] lease record TTL ms [6] quota idle TTL ms
--       [7] concurrency Retry-After ms, then per request: now ms ('' = Redis TIME), requestId, #scopes, #accounts,
--       estimated tokens, reserve micros, lease TTL ms, then per scope: rpm, tpm, max concurrency ('' = no limit),
--       then per account: initial remaining micros.
-- KEYS: per request, in turn: lease record, then per scope: rpm hash, tpm hash, concurrency zset, then per account:
--       quota string, then per account: pending hash (the reservation is recorded there for the reconciler).
-- Returns per request: {-1} duplicate requestId | {0, reason(1 rpm, 2 tpm, 3 concurrency, 4 quota), index,
--       retryAfterMs, limit} | {1, now, then per scope: rpm remaining, tpm remaining (-1 = no limit), reset ms}, or
--       the error message (a string) when that request's acquire failed.

local bucketMs = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local counterTtl = ARGV[4]
local leaseRecordTtl = ARGV[5]
local quotaIdleTtl = ARGV[6]
local concurrencyRetry = tonumber(ARGV[7])

-- One request: its keys start after KEYS[k0], its values after ARGV[a0].
local function acquire(k0, a0, nScopes, nAccounts)
  local now = clock(ARGV[a0 + 1])
  local requestId = ARGV[a0 + 2]
  local estimated = tonumber(ARGV[a0 + 5])
  local reserve = tonumber(ARGV[a0 + 6])
  local leaseTtl = tonumber(ARGV[a0 + 7])
  local leaseKey = KEYS[k0 + 1]
  local scopeArgs = a0 + 7
  local accountArgs = scopeArgs + nScopes * 3
  local accountKeys = k0 + 1 + nScopes * 3
  local pendingKeys = accountKeys + nAccounts

  if redis.call('EXISTS', leaseKey) == 1 then
    return { -1 }
  end

  local perWindow = windowMs / bucketMs
  local current = math.floor(now / bucketMs)
  local oldest = current - perWindow + 1

  -- Sum of the live buckets, the live buckets oldest first; stale buckets are deleted on the way.
  local function readWindow(key)
    local flat = redis.call('HGETALL', key)
    local sum, live, stale = 0, {}, {}
    for i = 1, #flat, 2 do
      local b = tonumber(flat[i])
      if b < oldest then
        stale[#stale + 1] = flat[i]
      else
        local amount = tonumber(flat[i + 1])
        sum = sum + amount
        live[#live + 1] = { b, amount }
      end
    end
    if #stale > 0 then
      redis.call('HDEL', key, unpack(stale))
    end
    table.sort(live, function(x, y)
      return x[1] < y[1]
    end)
    return sum, live
  end

  -- ms until at least `excess` units have left the window (the whole window if they never will).
  local function retryAfter(live, excess)
    local freed = 0
    for _, e in ipairs(live) do
      freed = freed + e[2]
      if freed >= excess then
        return (e[1] + perWindow) * bucketMs - now
      end
    end
    return windowMs
  end

  -- An estimate larger than a positive limit is let into an empty window, else it would be starved forever.
  local function tpmExcess(sum, tpm)
    if sum + estimated <= tpm then
      return 0
    end
    if tpm <= 0 then
      return math.huge
    end
    if sum <= 0 then
      return 0
    end
    return math.min(sum, sum + estimated - tpm)
  end

  -- Every refusal is evaluated; the longest Retry-After wins (first scope on ties).
  local fReason, fIndex, fRetry, fLimit = nil, 0, -1, -1
  local function consider(reason, index, retry, limit)
    if not fReason or retry > fRetry then
      fReason, fIndex, fRetry, fLimit = reason, index, retry, limit
    end
  end

  local views = {}
  for i = 1, nScopes do
    local k = k0 + 1 + (i - 1) * 3
    local a = scopeArgs + (i - 1) * 3
    local rpm, tpm, maxConcurrency = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', int(now))
    local leases = redis.call('ZCARD', KEYS[k + 3])
    local rSum, rLive = readWindow(KEYS[k + 1])
    local tSum, tLive = readWindow(KEYS[k + 2])
    if maxConcurrency and leases >= maxConcurrency then
      consider(3, i, concurrencyRetry, maxConcurrency)
    end
    if rpm then
      local excess = math.max(0, rSum + 1 - rpm)
      if excess > 0 then
        consider(1, i, retryAfter(rLive, excess), rpm)
      end
    end
    if tpm then
      local excess = tpmExcess(tSum, tpm)
      if excess > 0 then
        consider(2, i, retryAfter(tLive, excess), tpm)
      end
    end
    views[i] = { rpm = rpm, tpm = tpm, rSum = rSum, tSum = tSum, rLive = rLive }
  end
  if fReason then
    return { 0, fReason, fIndex, fRetry, fLimit }
  end

  local balances, fresh = {}, {}
  for j = 1, nAccounts do
    local stored = redis.call('GET', KEYS[accountKeys + j])
    local remaining = tonumber(stored or ARGV[accountArgs + j])
    if remaining <= 0 or reserve > remaining then
      return { 0, 4, j, 0, -1 }
    end
    balances[j] = remaining
    fresh[j] = not stored
  end

  -- Everything passed: count and reserve.
  redis.call('SET', leaseKey, '1', 'PX', leaseRecordTtl)
  local out = { 1, now }
  for i = 1, nScopes do
    local k = k0 + 1 + (i - 1) * 3
    local v = views[i]
    redis.call('HINCRBY', KEYS[k + 1], int(current), 1)
    redis.call('PEXPIRE', KEYS[k + 1], counterTtl)
    if estimated > 0 then
      redis.call('HINCRBY', KEYS[k + 2], int(current), int(estimated))
      redis.call('PEXPIRE', KEYS[k + 2], counterTtl)
    end
    redis.call('ZADD', KEYS[k + 3], int(now + leaseTtl), requestId)
    -- Only ever extend: the set must outlive its longest lease.
    if redis.call('PTTL', KEYS[k + 3]) < leaseTtl then
      redis.call('PEXPIRE', KEYS[k + 3], int(leaseTtl))
    end
    local rpmRemaining, tpmRemaining = -1, -1
    if v.rpm then
      rpmRemaining = math.max(0, v.rpm - v.rSum - 1)
    end
    if v.tpm then
      tpmRemaining = math.max(0, v.tpm - v.tSum - estimated)
    end
    local first = current
    if #v.rLive > 0 and v.rLive[1][1] < current then
      first = v.rLive[1][1]
    end
    out[#out + 1] = rpmRemaining
    out[#out + 1] = tpmRemaining
    out[#out + 1] = (first + perWindow) * bucketMs - now
  end
  for j = 1, nAccounts do
    local pending = KEYS[pendingKeys + j]
    redis.call('SET', KEYS[accountKeys + j], int(balances[j] - reserve), 'PX', quotaIdleTtl)
    if fresh[j] then
      -- A new life of the counter: what the old one held pending is not part of it.
      redis.call('DEL', pending)
      redis.call('HSET', pending, '#epoch', int(now) .. ':' .. requestId)
    end
    if reserve > 0 then
      redis.call('HSET', pending, requestId, 'R' .. int(reserve) .. '@' .. int(now))
    end
    redis.call('PEXPIRE', pending, quotaIdleTtl)
  end
  return out
end

return eachRequest(7, acquire, function(nScopes, nAccounts)
  return 1 + nScopes * 3 + nAccounts * 2, 7 + nScopes * 3 + nAccounts
end)
