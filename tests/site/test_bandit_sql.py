"""Bandit's SQL-string check (B608) runs on the project: a new SQL string built in Python
is flagged; each reviewed one carries ``# nosec B608`` with its reason."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["rural_taobao", "counties", "partners", "orders", "analytics", "demo", "notifications", "integrity", "payouts"]


def bandit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bandit", "-c", str(ROOT / "pyproject.toml"), "-f", "custom", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_a_new_sql_string_built_in_python_is_flagged(tmp_path):
    # given: a selector that builds SQL from its argument
    source = tmp_path / "new_selector.py"
    source.write_text(
        "def villagers_named(cursor, name):\n"
        "    cursor.execute(f\"SELECT id FROM orders_villager WHERE name = '{name}'\")\n"
    )
    # when: bandit runs with the project's configuration
    result = bandit("--msg-template", "{test_id}:{line}", str(source))
    # then: B608 names the line
    assert result.returncode == 1, result.stderr
    assert "B608:2" in result.stdout


def test_every_reviewed_sql_string_says_why():
    marks = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if "nosec B608" in line:
                    marks.append((f"{path.relative_to(ROOT)}:{number}", line))
    assert marks, "no reviewed SQL string found: the check would pass empty"
    without_reason = [where for where, line in marks if not re.search(r"# nosec B608\s+#\s*\S.{10,}", line)]
    assert without_reason == []
