-- The scaling plan's Locust mix for wrk: GET /api/v1/balance : GET /api/v1/usage : POST /v1/chat/completions
-- by weight (10 : 5 : 1 by default), each request with a key picked at random from many accounts' keys.
--   wrk ... -s mix.lua URL -- KEYS_FILE [W_BALANCE W_USAGE W_LLM [SEED]]
-- Counts, per thread, what was sent per endpoint and the 2xx answers recognised per endpoint (wrk's Lua cannot
-- time a single request: latency per endpoint comes from nginx's access log, or from one wrk per endpoint).
-- done() prints machine-readable lines: RESULT rps p50_us p99_us socket_errors non2xx requests, SENT/OK per
-- endpoint and STATUS per non-2xx code.
local keys_file, weights, seed
local reqs = {}          -- reqs[endpoint][key index] = the raw request
local names = { "balance", "usage", "llm" }
local total_weight, cut = 0, {}
sent = { balance = 0, usage = 0, llm = 0 }
ok = { balance = 0, usage = 0, llm = 0 }
bad = {}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  keys_file = args[1] or error("mix.lua needs the keys file: -- KEYS_FILE [W_BALANCE W_USAGE W_LLM [SEED]]")
  weights = { tonumber(args[2] or 10), tonumber(args[3] or 5), tonumber(args[4] or 1) }
  seed = tonumber(args[5] or 42)
  math.randomseed(seed * 1000 + (tid or 0))
  local keys = {}
  for line in io.lines(keys_file) do if #line > 0 then keys[#keys + 1] = line end end
  assert(#keys > 0, "no keys in " .. keys_file)
  local body = '{"model":"local-echo","max_tokens":16,"messages":[{"role":"user","content":"hello from bench/mix"}]}'
  reqs.balance, reqs.usage, reqs.llm = {}, {}, {}
  for i, k in ipairs(keys) do
    local auth = "Bearer " .. k
    reqs.balance[i] = wrk.format("GET", "/api/v1/balance", { ["Authorization"] = auth })
    reqs.usage[i] = wrk.format("GET", "/api/v1/usage", { ["Authorization"] = auth })
    reqs.llm[i] = wrk.format("POST", "/v1/chat/completions",
      { ["Authorization"] = auth, ["Content-Type"] = "application/json" }, body)
  end
  nkeys = #keys
  for i, w in ipairs(weights) do total_weight = total_weight + w; cut[i] = total_weight end
  assert(total_weight > 0, "all weights are 0")
end

function request()
  local r = math.random() * total_weight
  local ep = (r < cut[1] and 1) or (r < cut[2] and 2) or 3
  local name = names[ep]
  sent[name] = sent[name] + 1
  return reqs[name][math.random(nkeys)]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    if string.find(body, "availableMicros", 1, true) then ok.balance = ok.balance + 1
    elseif string.find(body, "groupBy", 1, true) then ok.usage = ok.usage + 1
    elseif string.find(body, "chat.completion", 1, true) then ok.llm = ok.llm + 1 end
  else
    bad[status] = (bad[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local s, o, b = { balance = 0, usage = 0, llm = 0 }, { balance = 0, usage = 0, llm = 0 }, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("sent")) do s[k] = s[k] + v end
    for k, v in pairs(t:get("ok")) do o[k] = o[k] + v end
    for k, v in pairs(t:get("bad")) do b[k] = (b[k] or 0) + v end
  end
  local e = summary.errors
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status, summary.requests))
  for _, n in ipairs(names) do io.write(string.format("SENT %s %d %d\n", n, s[n], o[n])) end
  for code, n in pairs(b) do io.write(string.format("STATUS %s %d\n", tostring(code), n)) end
end
