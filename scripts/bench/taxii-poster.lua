-- wrk script: each connection POSTs TAXII envelopes of ENVELOPE new indicator objects (ids
-- made from the thread, a counter and RUN, so no two envelopes repeat) for wrk's duration;
-- counts the objects each status reports as successes and the statuses not yet complete
-- (Ceptoar and medallion both answer "complete" at once).
-- Set AUTH (the Authorization header value), AUTHOR (created_by_ref), RUN (a number).
local auth = os.getenv("AUTH")
local author = os.getenv("AUTHOR")
local run = tonumber(os.getenv("RUN") or "1")
local envelope = tonumber(os.getenv("ENVELOPE") or "100")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  successes = 0
  incomplete = 0
end

local function object(n)
  local id = string.format("indicator--%08x-%04x-5%03x-8%03x-%012x", run % 4294967296, tid, math.floor(n / 4096) % 4096, n % 4096, n)
  return string.format('{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-12-01T00:00:00.000Z","modified":"2026-12-01T00:00:00.000Z",'
    .. '"created_by_ref":"%s","name":"bench %d","pattern":"[ipv4-addr:value = \'198.51.%d.%d\']","pattern_type":"stix","valid_from":"2026-12-01T00:00:00Z",'
    .. '"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],"labels":["category:vulnerability"]}',
    id, author, n, math.floor(n / 250) % 250, n % 250)
end

function request()
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
  local count = tonumber(string.match(body, '"success_count":%s*(%d+)') or "0")
  successes = successes + count
  if not string.find(body, '"status":%s*"complete"') then incomplete = incomplete + 1 end
end

function done(summary, latency, requests)
  local total, open = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("successes")
    open = open + thread:get("incomplete")
  end
  io.write(string.format("posted: %d objects stored in %.2f s = %.0f objects/s, %d statuses not complete, p50 %.1f ms, p99 %.1f ms\n",
    total, summary.duration / 1e6, total / (summary.duration / 1e6), open, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
