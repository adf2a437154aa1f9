-- release: KEYS acct, holds, hexp, kctl
-- ARGV holdId, retentionMs
-- Returns {code, balance, held}; code 0 released, 1 nothing open to release.
local acct, holds, hexp, kctl = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local hold_id, retention = ARGV[1], tonumber(ARGV[2])
local v = redis.call('HGET', holds, hold_id)
local code = 1
if v then
  local _, state, amount, key_id = hold_parse(v)
  if state == 'o' then
    redis.call('HINCRBY', acct, 'held', neg(amount))
    key_unhold(kctl, key_id, amount)
    redis.call('HSET', holds, hold_id, amount .. ':r')
    redis.call('ZADD', hexp, int(now_ms() + retention), hold_id)
    code = 0
  end
end
local f = redis.call('HMGET', acct, 'balance', 'held')
return {code, num(f[1]), num(f[2])}
