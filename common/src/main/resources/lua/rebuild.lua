-- rebuild: KEYS acct, refs, holds
-- ARGV status, threshold, usageFloor, then ref/amount pairs
-- Makes Redis agree with PostgreSQL (the truth) for one account without racing the money that
-- moves meanwhile. It is a merge, not an overwrite, so it commutes with every other script:
--  * credits: each ledger reference Redis lacks (lost in a failover) is applied once, exactly as
--    credit.lua would; references Redis has are kept (a credit committed after PostgreSQL was
--    read is one of them), so no credit is applied twice or dropped;
--  * charges: "spent" only ever rises, to the usage total PostgreSQL has recorded (every recorded
--    charge was settled here first, so that floor never exceeds what was really spent); charges
--    settled after PostgreSQL was read are already in "spent" and are kept;
--  * balance is set to credited - spent, the one value both agree on; held is recomputed from
--    the open holds;
--  * status and threshold are written only when the account hash was missing: otherwise the
--    status-change path owns them, and a rebuild racing a suspension can never undo it.
-- Returns {previousBalance, balance, held, restoredMicros, raisedSpentMicros}.
local acct, refs, holds = KEYS[1], KEYS[2], KEYS[3]
local floor = tonumber(ARGV[3])
local missing = redis.call('HEXISTS', acct, 'status') == 0
local previous = num(redis.call('HGET', acct, 'balance'))
ensure_totals(acct, refs)
local restored = 0
for i = 4, #ARGV, 2 do
  if redis.call('HSETNX', refs, ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('HINCRBY', acct, 'credited', ARGV[i + 1])
    restored = restored + tonumber(ARGV[i + 1])
  end
end
local t = redis.call('HMGET', acct, 'credited', 'spent')
local credited, spent = num(t[1]), num(t[2])
local raised = 0
if floor > spent then
  raised = floor - spent
  spent = floor
  redis.call('HSET', acct, 'spent', ARGV[3])
end
local balance = credited - spent
local held = 0
local all = redis.call('HGETALL', holds)
for i = 1, #all, 2 do
  local amount, state = hold_parse(all[i + 1])
  if state == 'o' then held = held + amount end
end
redis.call('HSET', acct, 'balance', int(balance), 'held', int(held))
if missing then
  redis.call('HSET', acct, 'status', ARGV[1], 'threshold', ARGV[2])
end
local threshold = num(redis.call('HGET', acct, 'threshold'))
local armed = '1'
if balance < threshold then armed = '0' end
redis.call('HSET', acct, 'armed', armed)
return {previous, balance, held, restored, raised}
