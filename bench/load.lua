-- wrk script for bench/load.py: the headers come from wrk's -H options (the bearer token or the
-- session cookie); at the end, one JSON line with what load.py prints. wrk keeps a count of
-- requests per microsecond of latency (`latency[i]`, up to its --timeout), so the requests over
-- one second are the sum past index 1,000,000.
done = function(summary, latency, requests)
   local over = 0
   for i = 1000001, #latency do
      over = over + latency[i]
   end
   local errors = summary.errors
   io.write(string.format(
      '\n{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
         .. '"status_errors": %d, "socket_errors": %d, "timeouts": %d, "over_1s": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      latency.max, errors.status, errors.connect + errors.read + errors.write,
      errors.timeout, over + errors.timeout))
end
