-- One delivery of an alert channel's allowance per rolling window (a log of send times).
-- KEYS[1] = the channel's log (zset: member -> send time ms)
-- ARGV[1] = now ms, ARGV[2] = window ms, ARGV[3] = limit, ARGV[4] = a unique member
-- Returns 1 when the delivery may go (and is logged), 0 when the channel has used its allowance.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return 1
