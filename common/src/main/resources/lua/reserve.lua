-- reserve: KEYS acct, key, rl, holds, hexp, kctl
-- ARGV holdId, amount, holdTtlMs, retentionMs, rlTtlSeconds, tokenBound, model, keyId[, least]
-- The rate limits, the key's controls and the balance are checked in the same atomic step as the
-- hold is taken, so concurrent requests can neither overdraw the account, nor slip past a limit,
-- nor take a key past its spend cap: what the key holds in open holds counts against its caps.
-- least (optional): when what may be held (the spendable balance, and what the key's caps leave) is
-- short of amount but at least this, the hold takes all of that instead (the caller caps the call to
-- what it pays).
-- Times (the key's minute window, its expiry, the calendar month of its monthly cap) come from
-- Redis' clock, so instances whose clocks disagree still agree on all of them.
-- Returns {code, balance, held, rpm, remaining, resetMs, limit, used, reserved}; code 0 reserved,
-- 1 insufficient funds, 2 rate limited, 3 key inactive, 4 account inactive, 5 no account, 6 hold id
-- already used, 7 key expired, 8 model not allowed for the key, 9 tokens-per-minute limit reached,
-- 10 the key's total spend cap reached, 11 its monthly spend cap reached; resetMs is how long until
-- the key's window ends; limit and used are the cap (or TPM) that refused and what is used of it
-- (spent plus held, or tokens counted this minute), else 0; reserved is the amount held.
local acct, key, rl, holds, hexp, kctl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local hold_id, amount = ARGV[1], tonumber(ARGV[2])
local ttl, retention = tonumber(ARGV[3]), tonumber(ARGV[4])
local tokens, model, key_id = tonumber(ARGV[6]), ARGV[7], ARGV[8]

local now = now_ms()
local minute = math.floor(now / 60000)
local reset = (minute + 1) * 60000 - now

-- Controls are '' when not set (publish_key.lua), and absent in a hash published before they existed.
local k = redis.call('HMGET', key, 'status', 'rpm', 'exp', 'models', 'tpm', 'cap', 'mcap')
if k[1] ~= 'active' then return {3, 0, 0, 0, 0, reset} end
local rpm = num(k[2])
if k[3] and k[3] ~= '' and now >= tonumber(k[3]) then return {7, 0, 0, rpm, 0, reset} end
-- models is "\n"-framed ("\nm1\nm2\n"); names never contain a newline (billing validates them).
if k[4] and k[4] ~= '' and not string.find(k[4], '\n' .. model .. '\n', 1, true) then return {8, 0, 0, rpm, 0, reset} end

local f = redis.call('HMGET', acct, 'status', 'balance', 'held')
if not f[1] then return {5, 0, 0, rpm, 0, reset} end
if f[1] ~= 'active' then return {4, 0, 0, rpm, 0, reset} end
local balance, held = num(f[2]), num(f[3])
-- The sweep only ever lowers "held"; read it again only when the sweep returned expired holds.
if sweep(acct, holds, hexp, kctl, now, retention) then held = num(redis.call('HGET', acct, 'held')) end

-- Counted first, checked after. A call over the limit still counts, which only matters until the
-- window ends. The first call of a new minute starts the window over (and sets its expiry).
local used
local fresh = redis.call('HGET', rl, 'w') ~= int(minute)
if fresh then
  redis.call('HSET', rl, 'w', int(minute), 'n', 1, 't', 0)
  redis.call('EXPIRE', rl, ARGV[5])
  used = 1
else
  used = redis.call('HINCRBY', rl, 'n', 1)
end
if used > rpm then return {2, balance, held, rpm, 0, reset} end
-- A refused-for-funds attempt still counts against the limit: it cost us the same work.
local remaining = rpm - used

-- Tokens per minute count the request's bound (input bound + output bound) when it is reserved,
-- not the tokens it turns out to use: unlike calls, a refused request's tokens are not counted.
local tpm = nil
if k[5] and k[5] ~= '' then
  tpm = tonumber(k[5])
  local counted = 0
  if not fresh then counted = num(redis.call('HGET', rl, 't')) end
  if counted + tokens > tpm then return {9, balance, held, rpm, remaining, reset, tpm, counted} end
end

-- The key's caps count what it spent and what it holds now, so concurrent calls cannot overrun them.
-- cap_room is what the tighter of them still allows (nil when the key has no cap).
local cap_room, cap_refusal = nil, nil
if (k[6] and k[6] ~= '') or (k[7] and k[7] ~= '') then
  local c = redis.call('HMGET', kctl, 'h:' .. key_id, 's:' .. key_id, 'mw:' .. key_id, 'm:' .. key_id)
  local key_held = num(c[1])
  if k[6] and k[6] ~= '' then
    local cap, spent = tonumber(k[6]), num(c[2])
    cap_room = cap - spent - key_held
    cap_refusal = {10, cap, spent + key_held}
  end
  if k[7] and k[7] ~= '' then
    local mcap, month_spent = tonumber(k[7]), 0
    if c[3] == int(month_of(now)) then month_spent = num(c[4]) end
    if cap_room == nil or mcap - month_spent - key_held < cap_room then
      cap_room = mcap - month_spent - key_held
      cap_refusal = {11, mcap, month_spent + key_held}
    end
  end
end

-- A flexible request takes what may be held when that is short of its amount but at least its least.
local amount_s = ARGV[2]
local least = tonumber(ARGV[9])
if least and balance >= 0 then
  local room = balance - held
  if cap_room and cap_room < room then room = cap_room end
  if room < amount and room >= least then
    amount = room
    amount_s = int(amount)
  end
end
if cap_room and amount > cap_room then
  return {cap_refusal[1], balance, held, rpm, remaining, reset, cap_refusal[2], cap_refusal[3]}
end

-- A balance below zero (an upstream billed more than was reserved) makes every reservation
-- fail here, even one of zero, until a top-up.
if balance - held < amount or balance < 0 then return {1, balance, held, rpm, remaining, reset} end
-- HSETNX takes the hold id and detects a reused one in the same call.
if redis.call('HSETNX', holds, hold_id, amount_s .. ':' .. key_id .. ':o') == 0 then return {6, balance, held, rpm, remaining, reset} end
redis.call('HINCRBY', acct, 'held', amount_s)
redis.call('HINCRBY', kctl, 'h:' .. key_id, amount_s)
if tpm then redis.call('HINCRBY', rl, 't', ARGV[6]) end
redis.call('ZADD', hexp, int(now + ttl), hold_id)
return {0, balance, held + amount, rpm, remaining, reset, 0, 0, amount}
