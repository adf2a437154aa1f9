-- peek: KEYS acct, key, holds, hexp
-- ARGV nowMs, retentionMs
-- Real-time balance for GET /balance; sweeps expired holds so "held" is exact.
-- Returns {accountStatus, balance, held, threshold, keyStatus} (status '' when missing).
local acct, key, holds, hexp = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now, retention = tonumber(ARGV[1]), tonumber(ARGV[2])
local key_status = redis.call('HGET', key, 'status') or ''
local status = redis.call('HGET', acct, 'status')
if not status then return {'', 0, 0, 0, key_status} end
sweep(acct, holds, hexp, now, retention)
local f = redis.call('HMGET', acct, 'balance', 'held', 'threshold')
return {status, num(f[1]), num(f[2]), num(f[3]), key_status}
