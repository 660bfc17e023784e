"""Times one page for a signed-in user: signs in through the login form (CSRF and session
cookie, as a browser does), then GETs PATH (a page that needs signing in) N times one after another and prints the median,
p95 and minimum. Usage: page-timing.py BASE EMAIL PASSWORD PATH N"""
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

base, email, password, path, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
login = opener.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', login).group(1)
opener.open(base + "/login", urllib.parse.urlencode({"email": email, "password": password, "_csrf": csrf}).encode()).read()
timings = []
for _ in range(runs):
    start = time.perf_counter()
    response = opener.open(base + path)
    body = response.read()
    timings.append((time.perf_counter() - start) * 1000)
    assert response.status == 200, response.status
timings.sort()
print(f"{path}: median {statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, min {timings[0]:.1f} ms over {runs} requests ({len(body)} bytes)")
