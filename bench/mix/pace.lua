-- Appended to mix.lua for a fixed rate: every thread hands out send slots RATE_PER_THREAD apart (wall clock, via
-- LuaJIT's ffi), and a connection waits for its slot. Latency is still counted by wrk from the write, so
-- keep enough connections that none waits for a free one (the achieved rate shows it).
--   wrk ... -s paced.lua URL -- KEYS_FILE W_BALANCE W_USAGE W_LLM SEED RATE_PER_THREAD
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } mix_timespec;
  int clock_gettime(int clk, mix_timespec *ts);
]]
local ts = ffi.new("mix_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval_ms, next_slot
local mix_init = init
function init(args)
  mix_init(args)
  interval_ms = 1000 / assert(tonumber(args[6]), "pace.lua needs RATE_PER_THREAD as 6th argument")
end
function delay()
  local now = now_ms()
  if next_slot == nil or next_slot < now - 100 then next_slot = now end -- never burst more than 100 ms of backlog
  local slot = next_slot
  next_slot = next_slot + interval_ms
  local wait = slot - now
  if wait <= 0 then return 0 end
  return math.floor(wait + 0.5)
end
