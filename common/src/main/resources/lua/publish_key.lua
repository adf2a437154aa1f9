-- publish_key: KEYS key
-- ARGV status, rpm, accountId, tpm, capMicros, monthlyCapMicros, expiresAtMs, models
-- Publishes an API key's state for reserve/peek. Revocation is final: once the hash says
-- "revoked" nothing turns it back, so a publisher that read the key as active before a revoke
-- committed (a rebuild, a retried outbox entry) cannot revive it by writing after the revoke.
-- The controls (tokens per minute, spend caps, expiry, allowed models "\n"-framed) are '' when the
-- key has none (or the caller passed only the first three); every publish writes all of them, so a
-- cleared control is cleared here too.
-- Returns the status now in force.
local key = KEYS[1]
local status = ARGV[1]
if redis.call('HGET', key, 'status') == 'revoked' then status = 'revoked' end
redis.call('HSET', key, 'status', status, 'rpm', ARGV[2], 'account', ARGV[3], 'tpm', ARGV[4] or '',
  'cap', ARGV[5] or '', 'mcap', ARGV[6] or '', 'exp', ARGV[7] or '', 'models', ARGV[8] or '')
return status
