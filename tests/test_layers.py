"""The layer rule is a contract that ``make lint`` checks (import-linter), not a wish."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_code_as_it_stands_keeps_every_layer_contract():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imports", "contract"),
    [
        ("tenants/_upward_probe.py", "import billing.models", "Layers"),
        ("billing/_sideways_probe.py", "import transition.models", "independent"),
    ],
)
def test_an_upward_or_sideways_import_breaks_the_lint(module, imports, contract):
    probe = ROOT / module
    probe.write_text(f'"""A module that breaks the layer rule."""\n\n{imports}\n')
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout
