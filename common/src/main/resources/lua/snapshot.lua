-- snapshot: KEYS acct, log
-- For reconciliation, in constant time: the account's balance, held and status, and at the same
-- instant the id of the newest entry of its partition stream. The caller then reads the stream up
-- to that id in bounded pages (XRANGE ... COUNT n, outside Lua; see PendingUsageReader), so no
-- script ever scans the stream and reconciliation never blocks the node.
-- Also the node's time in ms: stream ids come from the same clock, so an entry (e.g. one since
-- dead-lettered) whose id is at most that time was charged before the balance was read.
-- Returns {balance, held, status, lastId, nowMs}; amounts as Redis stores them, lastId '0-0' when empty.
local acct, log = KEYS[1], KEYS[2]
local f = redis.call('HMGET', acct, 'balance', 'held', 'status')
local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
local last = '0-0'
if #newest > 0 then last = newest[1][1] end
local t = redis.call('TIME')
return {f[1] or '0', f[2] or '0', f[3] or '', last, tostring(t[1] * 1000 + math.floor(t[2] / 1000))}
