-- release: KEYS acct, holds, hexp
-- ARGV holdId, nowMs, retentionMs
-- Returns {code, balance, held}; code 0 released, 1 nothing open to release.
local acct, holds, hexp = KEYS[1], KEYS[2], KEYS[3]
local hold_id, now, retention = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HGET', holds, hold_id)
local code = 1
if v then
  local amount, state = hold_parse(v)
  if state == 'o' then
    redis.call('HINCRBY', acct, 'held', -amount)
    redis.call('HSET', holds, hold_id, amount .. ':r')
    redis.call('ZADD', hexp, now + retention, hold_id)
    code = 0
  end
end
local f = redis.call('HMGET', acct, 'balance', 'held')
return {code, num(f[1]), num(f[2])}
