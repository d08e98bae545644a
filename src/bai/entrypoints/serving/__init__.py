"""What the server process needs around the app: where it listens, its workers, start-up."""
