-- job_lease: KEYS stream
-- ARGV group, consumer, entryId
-- Renews a worker's lease on the job it is running: resets the entry's idle time, so that no
-- other worker's XAUTOCLAIM takes it, but only while this consumer still owns it (a lease lost
-- during a long pause is never taken back).
-- Returns 1 when renewed, 0 when the job now belongs to another worker or is gone.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
