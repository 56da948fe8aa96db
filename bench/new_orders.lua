-- wrk script: POST /api/user/orders with a fresh Luhn-valid number on every
-- request. Arguments: <token> <run prefix digits>.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local function luhn_complete(digits)
  for check = 0, 9 do
    local candidate = digits .. check
    local sum, double = 0, false
    for i = #candidate, 1, -1 do
      local d = tonumber(candidate:sub(i, i))
      if double then
        d = d * 2
        if d > 9 then d = d - 9 end
      end
      sum = sum + d
      double = not double
    end
    if sum % 10 == 0 then return candidate end
  end
end

local token, prefix, counter = nil, nil, 0

function init(args)
  token = args[1]
  prefix = args[2] .. string.format("%02d", thread_id)
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/user/orders",
                    { ["Authorization"] = token, ["Content-Type"] = "text/plain" },
                    luhn_complete(prefix .. string.format("%09d", counter)))
end
