-- wrk script for bench/load.py: the headers come from wrk's -H options (the bearer token or the
-- session cookie); at the end, one JSON line with what load.py prints. The requests over one
-- second are found from the latency distribution: the percentile at which latency passes
-- 1 s (bisection), plus the requests that timed out.
done = function(summary, latency, requests)
   local over = 0
   if summary.requests > 0 and latency.max > 1000000 then
      local low, high = 0.0, 100.0
      for _ = 1, 30 do
         local middle = (low + high) / 2
         if latency:percentile(middle) > 1000000 then high = middle else low = middle end
      end
      over = math.floor(summary.requests * (100 - high) / 100 + 0.5)
   end
   local errors = summary.errors
   io.write(string.format(
      '\n{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
         .. '"status_errors": %d, "socket_errors": %d, "timeouts": %d, "over_1s": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, errors.status, errors.connect + errors.read + errors.write,
      errors.timeout, over + errors.timeout))
end
