-- Shared helpers, prepended to every money script by LuaScripts (Redis has no include).
-- All amounts are integer micro-dollars. Lua numbers are doubles: integers are exact up to 2^53
-- micros (about 9 billion USD), far beyond Micros.MAX_AMOUNT, and stored arithmetic uses HINCRBY.

local function hold_parse(v)
  local amount, state = string.match(v, '^(%-?%d+):(%a)$')
  return tonumber(amount), state
end

-- Returns expired open holds to spendable and forgets closed holds whose retention passed.
-- Bounded per call so a script never runs long; the next call continues. Returns true when it
-- changed the account's "held" (an open hold expired), so callers re-read "held" only then.
local function sweep(acct, holds, hexp, now, retention)
  local changed = false
  local due = redis.call('ZRANGEBYSCORE', hexp, '-inf', now, 'LIMIT', 0, 32)
  for _, id in ipairs(due) do
    local v = redis.call('HGET', holds, id)
    if v then
      local amount, state = hold_parse(v)
      if state == 'o' then
        redis.call('HINCRBY', acct, 'held', -amount)
        redis.call('HSET', holds, id, amount .. ':e')
        redis.call('ZADD', hexp, now + retention, id)
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
      'balance', balance, 'threshold', threshold, 'ts', now)
  end
end

local function low_balance_check(acct, log, account_id, now)
  local f = redis.call('HMGET', acct, 'balance', 'threshold', 'armed')
  low_balance_fire(acct, log, account_id, now, num(f[1]), num(f[2]), f[3])
end
