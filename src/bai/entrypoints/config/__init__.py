"""`BAI_*` environment variables: declared once, read, checked and documented from there."""
