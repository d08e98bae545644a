"""WeChat gateways: the sandbox and the real server API."""
