-- publish_key: KEYS key
-- ARGV status, rpm, accountId
-- Publishes an API key's state for reserve. Revocation is final: a key hash that says revoked is
-- never set back to active, so a stale publish (a rebuild or reconciliation that read the key
-- before its revocation committed) cannot undo a revocation.
-- Returns the status now in Redis.
local key = KEYS[1]
local status = ARGV[1]
if redis.call('HGET', key, 'status') == 'revoked' then status = 'revoked' end
redis.call('HSET', key, 'status', status, 'rpm', ARGV[2], 'account', ARGV[3])
return status
