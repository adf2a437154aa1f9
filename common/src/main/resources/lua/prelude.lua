-- Shared helpers, prepended to every money script by LuaScripts (Redis has no include).
-- All amounts are integer micro-dollars. Lua numbers are doubles, and Redis turns a Lua number
-- into a command argument with "%.14g": 1e14 would be sent as "1e+14" and 1e15 + 1 as "1e+15".
-- So amounts go to Redis as the decimal strings they arrived as (ARGV, HGET) or through int(),
-- never as bare numbers; arithmetic on stored money is HINCRBY (exact int64 in Redis). Numbers
-- are only compared in Lua, and balances are bounded (credit.lua) so those stay exact.

-- A whole number as the decimal string Redis needs ("%d" formats a double's integer exactly).
local function int(x)
  return string.format('%d', x)
end

-- The negation of a non-negative decimal string (Redis refuses "-0" as an integer).
local function neg(s)
  if s == '0' then return s end
  return '-' .. s
end

-- A hold is "amount:state" (o open, s settled, r released, e expired). An open hold taken since
-- per-key controls exist names its API key too, "amount:keyId:o", so that whoever closes it (settle,
-- release, the sweep) can move that key's counters; closed holds drop it again. Holds written
-- before ("amount:o") still parse, with no key: their key's counters never counted them.
-- Returns the amount as a number and as its exact decimal string, the state letter, and the key
-- id as a string (nil when the hold names none).
local function hold_parse(v)
  local amount, key_id, state = string.match(v, '^(%-?%d+):?(%d*):(%a)$')
  if key_id == '' then key_id = nil end
  return tonumber(amount), state, amount, key_id
end

-- Per-key counters live in one hash per account (KeySchema.keyCounters, the account's hash tag):
-- "h:<key>" what the key holds in open holds, "s:<key>" what it has spent in total, "m:<key>" what
-- it has spent in month "mw:<key>" (a month index, see month_of). One hash rather than a key per API
-- key and month: the sweep closes holds of any key of the account, and a script may only touch keys
-- its caller named.
local function key_unhold(kctl, key_id, amount)
  if key_id then redis.call('HINCRBY', kctl, 'h:' .. key_id, neg(amount)) end
end

-- The UTC month of a Redis time as year * 12 + (month - 1), e.g. 24323 for December 2026
-- (Howard Hinnant's days-to-civil; Redis' Lua has no os.date).
local function month_of(ms)
  local z = math.floor(ms / 86400000) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp + 3
  if mp >= 10 then m = mp - 9 end
  if m <= 2 then y = y + 1 end
  return y * 12 + m - 1
end

-- Redis' own clock in milliseconds: expiry decisions never trust a caller's clock, so an instance
-- whose clock runs ahead cannot expire another instance's holds.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Returns expired open holds to spendable and forgets closed holds whose retention passed.
-- Bounded per call so a script never runs long; the next call continues. Returns true when it
-- changed the account's "held" (an open hold expired), so callers re-read "held" only then.
-- The expired hold's key stops holding it too (kctl, the account's per-key counters).
local function sweep(acct, holds, hexp, kctl, now, retention)
  local changed = false
  local due = redis.call('ZRANGEBYSCORE', hexp, '-inf', int(now), 'LIMIT', 0, 32)
  for _, id in ipairs(due) do
    local v = redis.call('HGET', holds, id)
    if v then
      local _, state, amount, key_id = hold_parse(v)
      if state == 'o' then
        redis.call('HINCRBY', acct, 'held', neg(amount))
        key_unhold(kctl, key_id, amount)
        redis.call('HSET', holds, id, amount .. ':e')
        redis.call('ZADD', hexp, int(now + retention), id)
        changed = true
      else
        redis.call('HDEL', holds, id)
        redis.call('ZREM', hexp, id)
      end
    else
      redis.call('ZREM', hexp, id)
    end
  end
  return changed
end

local function num(v)
  if v then return tonumber(v) end
  return 0
end

-- One low-balance event per crossing: fires when the balance falls below the threshold while
-- armed, then disarms; a credit that lifts the balance back to the threshold re-arms.
local function low_balance_fire(acct, log, account_id, now, balance, threshold, armed)
  if armed ~= '0' and balance < threshold then
    redis.call('HSET', acct, 'armed', '0')
    redis.call('XADD', log, '*', 'type', 'low_balance', 'acct', account_id,
      'balance', int(balance), 'threshold', int(threshold), 'ts', int(now))
  end
end

local function low_balance_check(acct, log, account_id, now)
  local f = redis.call('HMGET', acct, 'balance', 'threshold', 'armed')
  low_balance_fire(acct, log, account_id, now, num(f[1]), num(f[2]), f[3])
end

-- "credited" (sum of applied ledger references) and "spent" (sum of settled charges) keep
-- balance = credited - spent, which makes a rebuild a merge instead of an overwrite. An account
-- hash written before they existed gets them derived from its refs and balance, once.
local function ensure_totals(acct, refs)
  if redis.call('HEXISTS', acct, 'credited') == 1 then return end
  local credited = 0
  for _, v in ipairs(redis.call('HVALS', refs)) do credited = credited + tonumber(v) end
  local balance = num(redis.call('HGET', acct, 'balance'))
  redis.call('HSET', acct, 'credited', int(credited), 'spent', int(credited - balance))
end

-- Largest |balance| an account may reach (4e15 micros, 4 billion USD; Micros.MAX_BALANCE): with
-- every amount at most Micros.MAX_AMOUNT (1e15), each value a script compares stays below 2^53,
-- where doubles are exact.
local MAX_BALANCE = 4000000000000000
