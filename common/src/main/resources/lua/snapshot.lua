-- snapshot: KEYS acct, log
-- ARGV accountId
-- For reconciliation: the account's Redis balance and, in the same instant, the usage records of
-- this account still in the partition stream (charged in Redis, maybe not yet in PostgreSQL).
-- Returns {balance, held, status, req1, cost1, req2, cost2, ...}.
local acct, log = KEYS[1], KEYS[2]
local f = redis.call('HMGET', acct, 'balance', 'held', 'status')
local out = {num(f[1]), num(f[2]), f[3] or ''}
local entries = redis.call('XRANGE', log, '-', '+')
for _, e in ipairs(entries) do
  local fields = e[2]
  local m = {}
  for i = 1, #fields, 2 do m[fields[i]] = fields[i + 1] end
  if m['type'] == 'usage' and m['acct'] == ARGV[1] then
    out[#out + 1] = m['req']
    out[#out + 1] = tonumber(m['cost'])
  end
end
return out
