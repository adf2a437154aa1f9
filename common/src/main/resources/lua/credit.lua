-- credit: KEYS acct, refs, log
-- ARGV ref, amountMicros (signed), nowMs, accountId
-- Applies a ledger fact once per reference: the HSETNX on refs and the balance change happen in
-- one step, so concurrent or replayed deliveries of the same fact apply it exactly once.
-- Returns {code, balance, held}; code 0 applied, 1 duplicate, 2 no such account.
local acct, refs, log = KEYS[1], KEYS[2], KEYS[3]
local ref, amount, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if not redis.call('HGET', acct, 'status') then return {2, 0, 0} end
if redis.call('HSETNX', refs, ref, ARGV[2]) == 0 then
  local f = redis.call('HMGET', acct, 'balance', 'held')
  return {1, num(f[1]), num(f[2])}
end
local balance = redis.call('HINCRBY', acct, 'balance', amount)
if amount >= 0 then
  if balance >= num(redis.call('HGET', acct, 'threshold')) then
    redis.call('HSET', acct, 'armed', '1')
  end
else
  low_balance_check(acct, log, ARGV[4], now)
end
return {0, balance, num(redis.call('HGET', acct, 'held'))}
