-- wrk script: report intake. Every request files a first report as a reporter picked at
-- random from the file named by TOKENS (`token<TAB>ceptoar` per line, from
-- `ceptoar bench-reports --tokens`), so the reports come from many distinct organisations.
local reporters = {}
for line in io.lines(os.getenv("TOKENS")) do
  local token, ceptoar = line:match("^(%S+)\t(%S+)$")
  if token then reporters[#reporters + 1] = { token = token, ceptoar = ceptoar } end
end
local detected = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - 3600)
local counter = 0
math.randomseed(os.time())
request = function()
  counter = counter + 1
  local reporter = reporters[math.random(#reporters)]
  local body = string.format([[{"ceptoar":"%s","summary":{"ja":"負荷試験の第一報 %d"},"affectedService":"インターネットバンキング","detectedAt":"%s","eventType":"unavailability","causes":["intentional.unauthorised_access"],"slaBreached":true,"impact":{"serviceContinuity":2,"safety":0,"lossOfTrust":1},"observables":[{"kind":"cve","value":"CVE-2024-3400"},{"kind":"ip","value":"198.51.100.%d"}],"tlp":"AMBER","attribution":"anonymised"}]],
    reporter.ceptoar, counter, detected, counter % 250)
  local headers = { ["Authorization"] = "Bearer " .. reporter.token, ["Content-Type"] = "application/json" }
  return wrk.format("POST", "/api/v1/reports", headers, body)
end
