-- key_expiry: KEYS key
-- Milliseconds from now to the key's expiry (negative once passed), nil when the key has none.
-- For api-service's key lookup on the endpoints that run no money script (models, products, usage):
-- it refuses the key from then on by its own monotonic clock, so the moment is Redis' (TIME), the
-- clock reserve and peek decide expiry by, not the instance's wall clock. Read-only.
local e = tonumber(redis.call('HGET', KEYS[1], 'exp'))
if not e then return false end
return e - now_ms()
