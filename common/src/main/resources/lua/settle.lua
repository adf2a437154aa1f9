-- settle: KEYS acct, holds, hexp, log, kctl
-- ARGV holdId, costMicros, retentionMs, accountId, keyId, product, model, inTokens, outTokens
-- The key's counters move with the money: its open hold leaves "h:<key>", the charge joins its total
-- "s:<key>" and its spend in the current UTC month (Redis' clock, the month the usage record's time
-- falls in, so a rebuild from usage_records finds the same sums).
-- The charge and its usage record are written in one atomic step: nothing charged goes
-- unrecorded, and a record never exists without its charge.
-- Returns {code, balance, held, charged, late, over}; code 0 settled, 1 already settled (charged
-- is what the first settle charged) or released (charged 0).
local acct, holds, hexp, log, kctl = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local hold_id, cost, retention = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()

sweep(acct, holds, hexp, kctl, now, retention)
local late, over = 0, 0
local v = redis.call('HGET', holds, hold_id)
if v then
  local amount, state, amount_s, key_id = hold_parse(v)
  if state == 's' or state == 'r' then
    -- A repeat (e.g. a retry whose first reply was lost): report what the first one charged.
    local charged = 0
    if state == 's' then charged = amount end
    local f = redis.call('HMGET', acct, 'balance', 'held')
    return {1, num(f[1]), num(f[2]), charged, 0, 0}
  end
  -- The real cost is charged even above the reservation: the provider bills us for it. The
  -- excess is taken from spendable money and may take the balance below zero, by at most
  -- itself; reserve then refuses everything until a top-up.
  if cost > amount then over = cost - amount end
  if state == 'o' then
    redis.call('HINCRBY', acct, 'held', neg(amount_s))
    key_unhold(kctl, key_id, amount_s)
  else
    late = 1
  end
else
  -- The hold expired and was forgotten (or never existed): still book the charge.
  late = 1
end

redis.call('HSET', holds, hold_id, ARGV[2] .. ':s')
redis.call('ZADD', hexp, int(now + retention), hold_id)
redis.call('HINCRBY', acct, 'spent', ARGV[2])
local month, key = int(month_of(now)), ARGV[5]
redis.call('HINCRBY', kctl, 's:' .. key, ARGV[2])
if redis.call('HGET', kctl, 'mw:' .. key) == month then
  redis.call('HINCRBY', kctl, 'm:' .. key, ARGV[2])
else
  redis.call('HSET', kctl, 'mw:' .. key, month, 'm:' .. key, ARGV[2])
end
local balance = redis.call('HINCRBY', acct, 'balance', neg(ARGV[2]))
redis.call('XADD', log, '*', 'type', 'usage', 'req', hold_id, 'acct', ARGV[4], 'key', ARGV[5],
  'product', ARGV[6], 'model', ARGV[7], 'in', ARGV[8], 'out', ARGV[9], 'cost', ARGV[2],
  'late', late, 'over', int(over), 'ts', int(now))
-- One read for the low-balance check and the reply ("balance" is the HINCRBY's own result).
local f = redis.call('HMGET', acct, 'threshold', 'armed', 'held')
low_balance_fire(acct, log, ARGV[4], now, balance, num(f[1]), f[2])
return {0, balance, num(f[3]), cost, late, over}
