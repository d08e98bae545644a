"""Redis: rate-limit counters and the WeChat access token, shared by every process."""
