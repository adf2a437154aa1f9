-- extend: KEYS acct, holds, hexp
-- ARGV holdId, ttlMs
-- Keeps an open hold alive: moves its deadline to Redis' now + ttl, only forward, and only while
-- the hold is still open ("amount:o"). A settled, released or expired hold is left alone, so a
-- late extension can never revive money that was already returned. The time is Redis' own clock,
-- so a caller with a skewed clock cannot shorten or stretch anyone's hold.
-- Returns {code, deadlineMs}; code 1 extended (or already later), 0 not open.
local holds, hexp = KEYS[2], KEYS[3]
local hold_id, ttl = ARGV[1], tonumber(ARGV[2])
local v = redis.call('HGET', holds, hold_id)
if not v or string.sub(v, -2) ~= ':o' then return {0, 0} end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
-- GT: a deadline already further out (a longer TTL given at reserve) is never pulled in.
redis.call('ZADD', hexp, 'XX', 'GT', now + ttl, hold_id)
local deadline = redis.call('ZSCORE', hexp, hold_id)
return {1, deadline}
