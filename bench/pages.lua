-- wrk script of bench/pages.py: every request carries the session cookie of one of the
-- logged-in users (PAGES_COOKIES, one per line, taken in turn); answers other than 200/304
-- (e.g. a redirect to the login page) are counted; done() prints one JSON line.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in string.gmatch(os.getenv("PAGES_COOKIES") or "", "[^\n]+") do
    table.insert(cookies, line)
  end
  n = 0
  unexpected = 0
end

function request()
  n = n + 1
  wrk.headers["Cookie"] = cookies[(n % #cookies) + 1]
  return wrk.format()
end

function response(status, headers, body)
  if status ~= 200 and status ~= 304 then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'PAGES_RESULT {"rps": %f, "requests": %d, "p50": %f, "p95": %f, "p99": %f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests / (summary.duration / 1e6), summary.requests,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect, e.read, e.write, bad, e.timeout))
end
