-- publish_key: KEYS key
-- ARGV status, rpm, accountId
-- Publishes an API key's state for reserve/peek. Revocation is final: once the hash says
-- "revoked" nothing turns it back, so a publisher that read the key as active before a revoke
-- committed (a rebuild, a retried outbox entry) cannot revive it by writing after the revoke.
-- Returns the status now in force.
local key = KEYS[1]
local status = ARGV[1]
if redis.call('HGET', key, 'status') == 'revoked' then status = 'revoked' end
redis.call('HSET', key, 'status', status, 'rpm', ARGV[2], 'account', ARGV[3])
return status
