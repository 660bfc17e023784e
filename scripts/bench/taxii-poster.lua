-- wrk script: each connection POSTs TAXII envelopes of ENVELOPE new indicator objects (ids
-- made from the thread, a counter and RUN, so no two envelopes repeat) for wrk's duration;
-- counts the objects each status reports as successes and the statuses not yet complete
-- (Ceptoar and medallion both answer "complete" at once).
-- Set AUTH (the Authorization header value), AUTHOR (created_by_ref), RUN (a number), and
-- QUOTA (envelopes per thread) to post that many and then only idle, timed from the first POST to the last answer.
local auth = os.getenv("AUTH")
local author = os.getenv("AUTHOR")
local run = tonumber(os.getenv("RUN") or "1")
local envelope = tonumber(os.getenv("ENVELOPE") or "100")
local quota = tonumber(os.getenv("QUOTA") or "0")
local threads = {}
local counter = 0

-- wrk runs for its whole duration even when every thread has stopped, so with a quota the
-- time is taken here: from a thread's first request to its last counted answer.
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local function now()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  successes = 0
  incomplete = 0
  answered = 0
  first = 0
  last = 0
end

local function object(n)
  local id = string.format("indicator--%08x-%04x-5%03x-8%03x-%012x", run % 4294967296, tid, math.floor(n / 4096) % 4096, n % 4096, n)
  return string.format('{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-12-01T00:00:00.000Z","modified":"2026-12-01T00:00:00.000Z",'
    .. '"created_by_ref":"%s","name":"bench %d","pattern":"[ipv4-addr:value = \'198.51.%d.%d\']","pattern_type":"stix","valid_from":"2026-12-01T00:00:00Z",'
    .. '"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],"labels":["category:vulnerability"]}',
    id, author, n, math.floor(n / 250) % 250, n % 250)
end

function request()
  -- Once the quota is answered a connection still needs a request to send: an
  -- unauthenticated GET of /health, answered in microseconds and not counted. (Counting
  -- requests made instead of answers does not work: wrk makes one it never sends.) Envelopes
  -- still in flight then are stored but not counted, so the rate errs low.
  if quota > 0 and answered >= quota then return wrk.format("GET", "/health") end
  if first == 0 then first = now() end
  local parts = {}
  for i = 1, envelope do
    counter = counter + 1
    parts[i] = object(counter)
  end
  return wrk.format("POST", nil, {
    ["Accept"] = "application/taxii+json;version=2.1", ["Content-Type"] = "application/taxii+json;version=2.1", ["Authorization"] = auth,
  }, '{"objects":[' .. table.concat(parts, ",") .. ']}')
end

function response(status, headers, body)
  if string.find(body, '"success_count"', 1, true) then
    -- A status resource: one envelope answered.
    answered = answered + 1
    successes = successes + tonumber(string.match(body, '"success_count":%s*(%d+)') or "0")
    if not string.find(body, '"status":%s*"complete"') then incomplete = incomplete + 1 end
    last = now()
  elseif quota == 0 or status ~= 200 then
    -- An envelope answered with an error (past the quota, a /health that failed).
    incomplete = incomplete + 1
  end
end

function done(summary, latency, requests)
  local total, open = 0, 0
  local from, to = math.huge, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("successes")
    open = open + thread:get("incomplete")
    if thread:get("first") > 0 then from = math.min(from, thread:get("first")) end
    to = math.max(to, thread:get("last"))
  end
  local seconds = summary.duration / 1e6
  if quota > 0 and to > from then seconds = to - from end
  -- Latencies with a quota include the /health requests that follow it.
  io.write(string.format("posted: %d objects stored in %.2f s = %.0f objects/s, %d statuses not complete, p50 %.1f ms, p99 %.1f ms\n",
    total, seconds, total / seconds, open, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
