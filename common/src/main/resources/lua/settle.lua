-- settle: KEYS acct, holds, hexp, log
-- ARGV holdId, costMicros, nowMs, retentionMs, accountId, keyId, product, model, inTokens, outTokens
-- The charge and its usage record are written in one atomic step: nothing charged goes
-- unrecorded, and a record never exists without its charge.
-- Returns {code, balance, held, charged, late}; code 0 settled, 1 already settled (charged is
-- what the first settle charged) or released (charged 0).
local acct, holds, hexp, log = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local hold_id, cost, now, retention = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])

sweep(acct, holds, hexp, now, retention)
local charge, late = cost, 0
local v = redis.call('HGET', holds, hold_id)
if v then
  local amount, state = hold_parse(v)
  if state == 's' or state == 'r' then
    -- A repeat (e.g. a retry whose first reply was lost): report what the first one charged.
    local charged = 0
    if state == 's' then charged = amount end
    local f = redis.call('HMGET', acct, 'balance', 'held')
    return {1, num(f[1]), num(f[2]), charged, 0}
  end
  -- Never charge more than was reserved: the reservation is the worst case the client agreed to.
  if amount < charge then charge = amount end
  if state == 'o' then
    redis.call('HINCRBY', acct, 'held', -amount)
  else
    late = 1
  end
else
  -- The hold expired and was forgotten (or never existed): still book the charge. This is the
  -- one path that may take a balance below zero.
  late = 1
end

redis.call('HSET', holds, hold_id, charge .. ':s')
redis.call('ZADD', hexp, now + retention, hold_id)
local balance = redis.call('HINCRBY', acct, 'balance', -charge)
redis.call('XADD', log, '*', 'type', 'usage', 'req', hold_id, 'acct', ARGV[5], 'key', ARGV[6],
  'product', ARGV[7], 'model', ARGV[8], 'in', ARGV[9], 'out', ARGV[10], 'cost', charge,
  'late', late, 'ts', now)
-- One read for the low-balance check and the reply ("balance" is the HINCRBY's own result).
local f = redis.call('HMGET', acct, 'threshold', 'armed', 'held')
low_balance_fire(acct, log, ARGV[5], now, balance, num(f[1]), f[2])
return {0, balance, num(f[3]), charge, late}
