-- rebuild: KEYS acct, refs, holds
-- ARGV balance, status, threshold, then ref/amount pairs
-- Makes Redis agree with PostgreSQL (the truth) for one account: balance, status, threshold and
-- the set of applied references (so an in-flight credit already in the ledger is not applied
-- twice). "held" is recomputed from the open holds that Redis still has.
-- Returns {previousBalance, balance, held}.
local acct, refs, holds = KEYS[1], KEYS[2], KEYS[3]
local previous = num(redis.call('HGET', acct, 'balance'))
local balance, threshold = tonumber(ARGV[1]), tonumber(ARGV[3])
local held = 0
local all = redis.call('HGETALL', holds)
for i = 1, #all, 2 do
  local amount, state = hold_parse(all[i + 1])
  if state == 'o' then held = held + amount end
end
redis.call('DEL', refs)
for i = 4, #ARGV, 2 do
  redis.call('HSET', refs, ARGV[i], ARGV[i + 1])
end
local armed = '1'
if balance < threshold then armed = '0' end
redis.call('HSET', acct, 'balance', balance, 'held', held, 'status', ARGV[2],
  'threshold', threshold, 'armed', armed)
return {previous, balance, held}
