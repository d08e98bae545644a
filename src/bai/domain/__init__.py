"""The core: entities, value objects, errors and use cases. Standard library only."""
