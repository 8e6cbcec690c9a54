-- wrk script of bench/schedule-http: public bookings of distinct free slots. Request k of
-- thread t books slot number t + k * threads: open days (Monday to Saturday) from BOOK_FROM
-- (a Monday, Unix seconds of its UTC midnight) for BOOK_DAYS days, every staff member of
-- BOOK_STAFF, starts 13:00 to 17:30 UTC every 30 minutes (inside the afternoon hours in Paris
-- in winter and in summer). Each request comes from its own address (X-Forwarded-For), so
-- the per-address limit of the public form measures nothing. done() prints "created N" (the
-- 201s) and "statuses" (every status seen, with its count).
local staff = {}
for s in string.gmatch(os.getenv("BOOK_STAFF") or "", "%S+") do
  staff[#staff + 1] = s
end
local service = os.getenv("BOOK_SERVICE")
local from = tonumber(os.getenv("BOOK_FROM"))
local days = tonumber(os.getenv("BOOK_DAYS"))
local per_day = 10
local nthreads = tonumber(os.getenv("BOOK_THREADS") or "2")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  k = 0
  created = 0
  statuses = {}
end

function request()
  local n = id + k * nthreads
  k = k + 1
  local nstaff = #staff
  local st = staff[(n % nstaff) + 1]
  local slot = math.floor(n / nstaff) % per_day
  local open_day = math.floor(n / (nstaff * per_day))
  local day = math.floor(open_day / 6) * 7 + open_day % 6
  if day >= days then
    day = day % days -- out of free slots: these answer 409
  end
  local start = from + day * 86400 + 13 * 3600 + slot * 1800
  local body = string.format(
    '{"service": "%s", "staff": "%s", "start": "%s", "client": {"first_name": "Banc", "last_name": "R%d",'
      .. ' "email": "banc-%d-%d@exemple.fr"}, "consent_email": true}',
    service, st, os.date("!%Y-%m-%dT%H:%M:%SZ", start), n, id, n)
  local ip = string.format("10.%d.%d.%d", id + 1, math.floor(k / 250) % 250, k % 250 + 1)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, seen = 0, {}
  for _, t in ipairs(threads) do
    total = total + t:get("created")
    local s = t:get("statuses")
    for code, n in pairs(s) do
      seen[code] = (seen[code] or 0) + n
    end
  end
  io.write(string.format("created %d\n", total))
  io.write("statuses")
  for code, n in pairs(seen) do
    io.write(string.format(" %s:%d", tostring(code), n))
  end
  io.write("\n")
end
