-- multipart/form-data POST with ten text fields (field0 .. field9).
local boundary = "----mpbenchBoundary7MA4YWxkTrZu0gW"
local parts = {}
for i = 0, 9 do
  parts[#parts + 1] = "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="field' .. i .. '"\r\n\r\n' ..
    string.rep(string.char(97 + i), 20 + i) .. "\r\n"
end
parts[#parts + 1] = "--" .. boundary .. "--\r\n"
wrk.method = "POST"
wrk.body = table.concat(parts)
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
