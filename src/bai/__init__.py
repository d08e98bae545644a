"""BAI: the backend that signs WeChat mini-program users in."""
