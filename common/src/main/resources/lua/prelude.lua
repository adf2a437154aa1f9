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

-- The hold's amount as a number and as its exact decimal string, and its state letter.
local function hold_parse(v)
  local amount, state = string.match(v, '^(%-?%d+):(%a)$')
  return tonumber(amount), state, amount
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
local function sweep(acct, holds, hexp, now, retention)
  local changed = false
  local due = redis.call('ZRANGEBYSCORE', hexp, '-inf', int(now), 'LIMIT', 0, 32)
  for _, id in ipairs(due) do
    local v = redis.call('HGET', holds, id)
    if v then
      local _, state, amount = hold_parse(v)
      if state == 'o' then
        redis.call('HINCRBY', acct, 'held', neg(amount))
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
