-- reserve: KEYS acct, key, rl, holds, hexp
-- ARGV holdId, amount, nowMs, holdTtlMs, retentionMs, rlTtlSeconds
-- The rate limit and the balance are checked in the same atomic step as the hold is taken, so
-- concurrent requests can neither overdraw the account nor slip past the limit.
-- Returns {code, balance, held, rpm, remaining}; code 0 reserved, 1 insufficient funds,
-- 2 rate limited, 3 key inactive, 4 account inactive, 5 no account, 6 hold id already used.
local acct, key, rl, holds, hexp = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local hold_id, amount, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl, retention, rl_ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

local k = redis.call('HMGET', key, 'status', 'rpm')
if k[1] ~= 'active' then return {3, 0, 0, 0, 0} end
local rpm = num(k[2])

local status = redis.call('HGET', acct, 'status')
if not status then return {5, 0, 0, rpm, 0} end
if status ~= 'active' then return {4, 0, 0, rpm, 0} end

sweep(acct, holds, hexp, now, retention)
local f = redis.call('HMGET', acct, 'balance', 'held')
local balance, held = num(f[1]), num(f[2])

local used = num(redis.call('GET', rl))
if used >= rpm then return {2, balance, held, rpm, 0} end
-- A refused-for-funds attempt still counts against the limit: it cost us the same work.
redis.call('INCR', rl)
if used == 0 then redis.call('EXPIRE', rl, rl_ttl) end
local remaining = rpm - used - 1

if balance - held < amount then return {1, balance, held, rpm, remaining} end
if redis.call('HEXISTS', holds, hold_id) == 1 then return {6, balance, held, rpm, remaining} end

redis.call('HINCRBY', acct, 'held', amount)
redis.call('HSET', holds, hold_id, amount .. ':o')
redis.call('ZADD', hexp, now + ttl, hold_id)
return {0, balance, held + amount, rpm, remaining}
