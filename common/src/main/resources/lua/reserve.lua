-- reserve: KEYS acct, key, rl, holds, hexp
-- ARGV holdId, amount, holdTtlMs, retentionMs, rlTtlSeconds[, least]
-- least (optional): when the spendable balance is short of amount but at least this, the hold takes
-- all that is spendable instead (the caller caps the call to what that pays).
-- The rate limit and the balance are checked in the same atomic step as the hold is taken, so
-- concurrent requests can neither overdraw the account nor slip past the limit.
-- The key's one-minute window is named from Redis' clock too, so instances whose clocks disagree
-- still count a key's calls in one window.
-- Returns {code, balance, held, rpm, remaining, resetMs, reserved}; code 0 reserved, 1 insufficient funds,
-- 2 rate limited, 3 key inactive, 4 account inactive, 5 no account, 6 hold id already used;
-- resetMs is how long until the key's window ends.
local acct, key, rl, holds, hexp = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local hold_id, amount = ARGV[1], tonumber(ARGV[2])
local ttl, retention = tonumber(ARGV[3]), tonumber(ARGV[4])

local now = now_ms()
local minute = math.floor(now / 60000)
local reset = (minute + 1) * 60000 - now

local k = redis.call('HMGET', key, 'status', 'rpm')
if k[1] ~= 'active' then return {3, 0, 0, 0, 0, reset} end
local rpm = num(k[2])

local f = redis.call('HMGET', acct, 'status', 'balance', 'held')
if not f[1] then return {5, 0, 0, rpm, 0, reset} end
if f[1] ~= 'active' then return {4, 0, 0, rpm, 0, reset} end
local balance, held = num(f[2]), num(f[3])
-- The sweep only ever lowers "held"; read it again only when the sweep returned expired holds.
if sweep(acct, holds, hexp, now, retention) then held = num(redis.call('HGET', acct, 'held')) end

-- Counted first, checked after. A call over the limit still counts, which only matters until the
-- window ends. The first call of a new minute starts the window over (and sets its expiry).
local used
if redis.call('HGET', rl, 'w') == int(minute) then
  used = redis.call('HINCRBY', rl, 'n', 1)
else
  redis.call('HSET', rl, 'w', int(minute), 'n', 1)
  redis.call('EXPIRE', rl, ARGV[5])
  used = 1
end
if used > rpm then return {2, balance, held, rpm, 0, reset} end
-- A refused-for-funds attempt still counts against the limit: it cost us the same work.
local remaining = rpm - used

-- A balance below zero (an upstream billed more than was reserved) makes every reservation
-- fail here, even one of zero, until a top-up.
local amount_s = ARGV[2]
if ARGV[6] and balance - held < amount and balance - held >= tonumber(ARGV[6]) and balance >= 0 then
  amount = balance - held
  amount_s = int(amount)
end
if balance - held < amount or balance < 0 then return {1, balance, held, rpm, remaining, reset} end
-- HSETNX takes the hold id and detects a reused one in the same call.
if redis.call('HSETNX', holds, hold_id, amount_s .. ':o') == 0 then return {6, balance, held, rpm, remaining, reset} end
redis.call('HINCRBY', acct, 'held', amount_s)
redis.call('ZADD', hexp, int(now + ttl), hold_id)
return {0, balance, held + amount, rpm, remaining, reset, amount}
