"""How one `BAI_*` environment variable is declared."""

from dataclasses import dataclass

from bai.entrypoints.config.readers import Reader


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    field: str  # the `Settings` field; "" where the loader combines it with others
    read: Reader  # text (stripped; the default when unset) -> value; ValueError says why not
    default: str  # what an unset variable means, as text ("" for nothing)
    meaning: str
    shown_default: str = ""  # how the docs show the default, when not the text itself

    @property
    def documented_default(self) -> str:
        return self.shown_default or (f"`{self.default}`" if self.default else "none")
