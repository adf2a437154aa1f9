-- snapshot: KEYS acct, log
-- For reconciliation, in constant time: the account's balance, held and status, and at the same
-- instant the id of the newest entry of its partition stream. The caller then reads the stream up
-- to that id in bounded pages (XRANGE ... COUNT n, outside Lua; see PendingUsageReader), so no
-- script ever scans the stream and reconciliation never blocks the node.
-- Returns {balance, held, status, lastId}; amounts as Redis stores them, lastId '0-0' when empty.
local acct, log = KEYS[1], KEYS[2]
local f = redis.call('HMGET', acct, 'balance', 'held', 'status')
local newest = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1)
local last = '0-0'
if #newest > 0 then last = newest[1][1] end
return {f[1] or '0', f[2] or '0', f[3] or '', last}
