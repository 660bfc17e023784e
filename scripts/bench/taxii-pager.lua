-- wrk script: each connection pages through a TAXII collection with `next`, from the start
-- again when it reaches the end; counts the objects it received. Set PAGE_PATH (the objects
-- URL path with ?limit=…), and AUTH (the Authorization header value).
local path = os.getenv("PAGE_PATH")
local auth = os.getenv("AUTH")
objects = 0
local nexts = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  objects = 0
end

function request()
  local next_token = nexts[1]
  local p = path
  if next_token then p = path .. "&next=" .. next_token end
  return wrk.format("GET", p, { ["Accept"] = "application/taxii+json;version=2.1", ["Authorization"] = auth })
end

function response(status, headers, body)
  if status ~= 200 then return end
  local _, count = string.gsub(body, '"spec_version"', "")
  objects = objects + count
  local token = string.match(body, '"next":"([^"]+)"')
  if token and string.find(body, '"more":true', 1, true) then nexts[1] = token else nexts[1] = nil end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("objects") end
  io.write(string.format("objects: %d in %.2f s = %.0f objects/s\n", total, summary.duration / 1e6, total / (summary.duration / 1e6)))
end
