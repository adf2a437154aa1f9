-- credit: KEYS acct, refs, log
-- ARGV ref, amountMicros (signed), accountId
-- Applies a ledger fact once per reference: the HSETNX on refs and the balance change happen in
-- one step, so concurrent or replayed deliveries of the same fact apply it exactly once.
-- Returns {code, balance, held}; code 0 applied, 1 duplicate, 2 no such account, 3 the balance
-- would leave [-MAX_BALANCE, MAX_BALANCE] (nothing applied).
local acct, refs, log = KEYS[1], KEYS[2], KEYS[3]
local ref, amount = ARGV[1], tonumber(ARGV[2])
if not redis.call('HGET', acct, 'status') then return {2, 0, 0} end
if redis.call('HEXISTS', refs, ref) == 1 then
  local f = redis.call('HMGET', acct, 'balance', 'held')
  return {1, num(f[1]), num(f[2])}
end
local f = redis.call('HMGET', acct, 'balance', 'held')
local after = num(f[1]) + amount
if after > MAX_BALANCE or after < -MAX_BALANCE then return {3, num(f[1]), num(f[2])} end
ensure_totals(acct, refs)
redis.call('HSET', refs, ref, ARGV[2])
redis.call('HINCRBY', acct, 'credited', ARGV[2])
local balance = redis.call('HINCRBY', acct, 'balance', ARGV[2])
if amount >= 0 then
  if balance >= num(redis.call('HGET', acct, 'threshold')) then
    redis.call('HSET', acct, 'armed', '1')
  end
else
  low_balance_check(acct, log, ARGV[3], now_ms())
end
return {0, balance, num(f[2])}
