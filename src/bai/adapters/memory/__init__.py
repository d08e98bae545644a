"""Storage that lives in the process: for tests and `BAI_DATABASE_URL=memory://`."""
