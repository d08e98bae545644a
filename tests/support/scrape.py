"""Reading a `/metrics` answer the way Prometheus does."""

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value; 0 for a series not (yet) in the scrape, as Prometheus reads it."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)
