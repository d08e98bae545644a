"""What BAI says about itself while it runs: JSON log lines and optional tracing."""
