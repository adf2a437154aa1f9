-- publish_account: KEYS acct
-- ARGV status, threshold
-- Creates or updates the account hash billing publishes for the api-service without ever
-- clobbering money: balance and held are only initialised (the totals are derived on first
-- use, see ensure_totals), status and threshold overwritten. Arms the low-balance alert when the balance is at or above the (new) threshold.
-- Returns {balance, held}.
local acct = KEYS[1]
local threshold = tonumber(ARGV[2])
redis.call('HSETNX', acct, 'balance', 0)
redis.call('HSETNX', acct, 'held', 0)
redis.call('HSET', acct, 'status', ARGV[1], 'threshold', ARGV[2])
local f = redis.call('HMGET', acct, 'balance', 'held')
if num(f[1]) >= threshold then
  redis.call('HSET', acct, 'armed', '1')
else
  redis.call('HSETNX', acct, 'armed', '0')
end
return {num(f[1]), num(f[2])}
