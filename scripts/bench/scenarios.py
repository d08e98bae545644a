"""The benchmark's scenarios as wrk request generators, and wrk itself: run one, read its output.

Any server of BAI's API can be driven: a scenario needs only the base URL, the number of seeded
users (login codes `u<n>...` that the fake WeChat maps to their openids) and their tokens.
"""

import re
import secrets
import shutil
import subprocess
from pathlib import Path

SCENARIOS = ["users-count", "login-existing", "refresh", "profile", "login-new", "health"]
# Every script gets `id`, its wrk thread's number (1, 2, ...), as a global.
THREAD_ID = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
"""
LUA = {
    "users-count": """
wrk.method = "POST"
wrk.path = "/pb/api/system/users-count"
""",
    "login-existing": """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- Every code is new, as wx.login's are (so no two requests share a WeChat call), in every run
-- (RUN: the warm-up and each measured run send codes never seen before); the part before the
-- first "." names the seeded user it logs in.
local n = 0
request = function()
  n = n + 1
  local body = '{"users_wx_code":"u' .. (n * 7919 % USERS) .. '.' .. RUN .. '-' .. id .. '-'
    .. n .. '"}'
  return wrk.format(nil, "/pb/api/wechat/login", nil, body)
end
""",
    "login-new": """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"users_wx_code":"n' .. RUN .. '-' .. id .. '-' .. n .. '"}'
  return wrk.format(nil, "/pb/api/wechat/login", nil, body)
end
""",
    "refresh": """
wrk.method = "POST"
local tokens, n = {}, 0
for line in io.lines(TOKENS) do tokens[#tokens + 1] = line end
request = function()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[n % #tokens + 1]}
  return wrk.format(nil, "/pb/api/system/refresh-token", headers)
end
""",
    "profile": """
wrk.method = "POST"
local tokens, n = {}, 0
for line in io.lines(TOKENS) do tokens[#tokens + 1] = line end
request = function()
  n = n + 1
  -- Each wrk thread starts 1,000 users from the other: two updates of one user at the same
  -- moment would wait on each other's row lock, which no real client does.
  local i = (n + (id - 1) * 1000) % #tokens
  local body = '{"users_name":"bench","users_phone_code":"p' .. i
    .. '","users_picture":"https://cdn.example.com/a.png"}'
  local headers = {["Authorization"] = tokens[i + 1], ["Content-Type"] = "application/json"}
  return wrk.format(nil, "/pb/api/wechat/profile", headers, body)
end
""",
    "health": """
wrk.method = "GET"
wrk.path = "/pb/api/health"
""",
}


def ensure_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def parse_wrk(output: str) -> dict[str, float]:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    def millis(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output)
        if not match:
            return 0.0
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    errors = number(r"Non-2xx or 3xx responses: (\d+)")
    errors += sum(float(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {
        "req/s": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": errors,
    }


def wrk_command(
    wrk: str, base: str, scenario: str, *, connections: int, seconds: int, users: int, folder: Path
) -> list[str]:
    """wrk's command line for one scenario against `base`; `folder` holds `tokens.txt`."""
    script = folder / f"{scenario}.lua"
    tokens = folder / "tokens.txt"
    header = f'USERS = {min(users, 2000)}\nTOKENS = "{tokens}"\nRUN = "{secrets.token_hex(3)}"\n'
    script.write_text(header + THREAD_ID + LUA[scenario])
    return [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), base]
