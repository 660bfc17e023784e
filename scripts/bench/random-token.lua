-- wrk script: every request carries the bearer token of a reader picked at random from
-- the file named by the TOKENS environment variable (one token per line).
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
math.randomseed(os.time())
request = function()
  local headers = { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
  return wrk.format("GET", nil, headers)
end
