"""Dutch is the source language of the UI; the English catalogue must be valid and cover every string."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
SKIP = {".git", ".venv", "node_modules", "var", "staticfiles", "static", "tests", "bench", "__pycache__"}


def test_english_catalogue_is_valid_and_complete():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_every_string_in_the_code_is_in_the_english_catalogue(tmp_path):
    """Extract the strings again from a copy of the code: a new msgid without translation fails here."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda directory, names: [n for n in names if n in SKIP])
    env = {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [
            "msgattrib",
            "--untranslated",
            "--no-obsolete",
            str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    missing = re.findall(r'^msgid "(.+)"$', result.stdout, flags=re.MULTILINE)
    assert not missing, f"{len(missing)} strings have no English translation, e.g. {missing[:10]}"
    # A new msgid close to an old one is merged as "fuzzy" with the old one's English: that is a
    # guess gettext does not use, so the page would show Dutch. It counts as missing too.
    fuzzy = subprocess.run(
        [
            "msgattrib",
            "--only-fuzzy",
            "--no-obsolete",
            str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    guessed = re.findall(r'^msgid "(.+)"$', fuzzy.stdout, flags=re.MULTILINE)
    assert not guessed, f"{len(guessed)} strings have only a guessed (fuzzy) translation, e.g. {guessed[:10]}"
