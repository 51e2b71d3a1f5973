-- Deletes KEYS[1] only while it still holds ARGV[1]: a lock released by its owner only, a rejected token dropped only
-- when no replica has stored a newer one since.
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
