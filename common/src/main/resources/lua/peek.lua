-- peek: KEYS acct, key, holds, hexp, kctl
-- ARGV retentionMs
-- Real-time balance for GET /balance; sweeps expired holds so "held" is exact.
-- Returns {accountStatus, balance, held, threshold, keyStatus} (status '' when missing, keyStatus
-- 'expired' for an active key past its expiry).
-- The hot path of GET /balance: the account is read in one HMGET, and the sweep (which only changes
-- "held") runs only when some hold is due, after which "held" is read again.
local acct, key, holds, hexp, kctl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local retention = tonumber(ARGV[1])
local k = redis.call('HMGET', key, 'status', 'exp')
local key_status = k[1] or ''
local now = now_ms()
-- A key past its expiry (docs/key-controls.md) reads as "expired": refused like a revoked one.
if key_status == 'active' and k[2] and k[2] ~= '' and now >= tonumber(k[2]) then key_status = 'expired' end
local f = redis.call('HMGET', acct, 'status', 'balance', 'held', 'threshold')
local status = f[1]
if not status then return {'', 0, 0, 0, key_status} end
local held = f[3]
if #redis.call('ZRANGEBYSCORE', hexp, '-inf', int(now), 'LIMIT', 0, 1) > 0 then
  sweep(acct, holds, hexp, kctl, now, retention)
  held = redis.call('HGET', acct, 'held')
end
return {status, num(f[2]), num(held), num(f[4]), key_status}
