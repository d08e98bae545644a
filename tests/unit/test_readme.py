"""What README.md tells a reader who has only this checkout: no path from a developer's machine
or issue number, and a PocketBase example that does not take BAI's own port."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_and_its_performance_page_name_no_developer_s_folder() -> None:
    for text in (README, (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")):
        assert re.findall(r"(?<![\w.])/(?:work|home|Users|root)/\S*", text) == []


def test_the_performance_section_names_no_issue() -> None:
    assert re.findall(r"[Ii]ssues? \d+", section("## Performance")) == []


def test_the_pocketbase_example_serves_on_a_port_of_its_own_and_bai_points_there() -> None:
    steps = section("### Beside PocketBase")
    served = re.findall(r"pocketbase serve --http=127\.0\.0\.1:(\d+)", steps)
    pointed = re.findall(r"BAI_DATABASE_URL=pocketbase://\S+@127\.0\.0\.1:(\d+)", steps)

    assert len(served) == 1
    assert served != ["8090"]
    assert pointed == served
