"""PocketBase-native auth tokens."""
