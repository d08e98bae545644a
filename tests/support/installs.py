"""A real install of BAI without its extras, for what must hold where they are absent."""

import site
import venv
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SCRIPT = "#!{python}\nimport sys\nfrom bai.entrypoints.cli import main\nsys.exit(main())\n"


def _runtime_closure() -> set[str]:
    """The distributions `pip install bai` brings (no extra), as installed in this venv."""
    wanted, seen = [("bai", frozenset[str]())], set[str]()
    while wanted:
        name, extras = wanted.pop()
        if canonicalize_name(name) in seen:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:  # a dependency of another platform
            continue
        seen.add(canonicalize_name(name))
        for line in dist.requires or []:
            need = Requirement(line)
            if need.marker is None or any(
                need.marker.evaluate({"extra": extra}) for extra in extras or {""}
            ):
                wanted.append((need.name, frozenset(need.extras)))
    return seen


def install_without_extras(into: Path) -> Path:
    """A venv in `into` holding BAI and its runtime dependencies only (linked from this venv's
    site-packages, so no network is needed); its `bai` executable."""
    venv.create(into, with_pip=False, symlinks=True)
    source = Path(site.getsitepackages()[0])
    target = next((into / "lib").glob("python*/site-packages"))
    linked = set[str]()
    for name in _runtime_closure():
        for file in distribution(name).files or []:
            top = file.parts[0]
            if top != ".." and top not in linked and (source / top).exists():
                (target / top).symlink_to(source / top)
                linked.add(top)
    bai = into / "bin" / "bai"
    bai.write_text(SCRIPT.format(python=into / "bin" / "python"))
    bai.chmod(0o700)
    return bai
