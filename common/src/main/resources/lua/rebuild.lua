-- rebuild: KEYS acct, refs, holds, kctl
-- ARGV status, threshold, usageFloor, month, n, then n keyId/spentFloor/monthSpentFloor triples,
-- then ref/amount pairs
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
--  * the keys' counters (kctl) follow the same rules: each key's total and its spend in "month"
--    (month_of; ignored when Redis' clock is already in another month) only rise to the floors
--    PostgreSQL recorded, and what each key holds is recomputed from the open holds;
--  * status and threshold are written only when the account hash was missing: otherwise the
--    status-change path owns them, and a rebuild racing a suspension can never undo it.
-- Returns {previousBalance, balance, held, restoredMicros, raisedSpentMicros}.
local acct, refs, holds, kctl = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local floor = tonumber(ARGV[3])
local missing = redis.call('HEXISTS', acct, 'status') == 0
local previous = num(redis.call('HGET', acct, 'balance'))
ensure_totals(acct, refs)
local restored = 0
local first_ref = 6 + 3 * tonumber(ARGV[5])
for i = first_ref, #ARGV, 2 do
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
local key_held = {}
local all = redis.call('HGETALL', holds)
for i = 1, #all, 2 do
  local amount, state, _, key_id = hold_parse(all[i + 1])
  if state == 'o' then
    held = held + amount
    if key_id then key_held[key_id] = (key_held[key_id] or 0) + amount end
  end
end
local counters = redis.call('HGETALL', kctl)
for i = 1, #counters, 2 do
  local key_id = string.match(counters[i], '^h:(%d+)$')
  if key_id and not key_held[key_id] then redis.call('HSET', kctl, counters[i], 0) end
end
for key_id, amount in pairs(key_held) do redis.call('HSET', kctl, 'h:' .. key_id, int(amount)) end
local month = ARGV[4]
local this_month = month == int(month_of(now_ms()))
for i = 6, first_ref - 1, 3 do
  local key_id, total, month_total = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if tonumber(total) > num(redis.call('HGET', kctl, 's:' .. key_id)) then
    redis.call('HSET', kctl, 's:' .. key_id, total)
  end
  if this_month then
    if redis.call('HGET', kctl, 'mw:' .. key_id) ~= month then
      redis.call('HSET', kctl, 'mw:' .. key_id, month, 'm:' .. key_id, month_total)
    elseif tonumber(month_total) > num(redis.call('HGET', kctl, 'm:' .. key_id)) then
      redis.call('HSET', kctl, 'm:' .. key_id, month_total)
    end
  end
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
