"""`make run`'s path must not rot: SQLite, tasks in process, migrate, seed_demo, log in, dashboard."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_make_runs_path_on_sqlite_serves_the_seeded_portal(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "REDIS_URL": "",
        # As the Makefile's RUN_ENV: debug off, plain static files found by whitenoise, no HTTPS.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "SECRET_KEY": "embedded-default-test-key",
        "DEMO_PASSWORD": "demo-wachtwoord-test",
        "MFA_REQUIRED": "false",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT, timeout=600)
    seeded = subprocess.run(
        [*manage, "seed_demo"], env=env, check=True, cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert "Demo data ready" in seeded.stdout
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/inloggen/", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/inloggen/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "cm.oegstgeest", "password": "demo-wachtwoord-test"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/inloggen/", data=data, headers={"Referer": f"{base}/inloggen/"}
        )
        dashboard = opener.open(request).read().decode()
        assert "Overzicht" in dashboard
        assert "Gemeente Oegstgeest" in dashboard
        assert "Gemeente Leiderdorp" not in dashboard
        css = opener.open(f"{base}/static/css/portal.css").read().decode()
        assert ".portal-header" in css
        with pytest.raises(urllib.error.HTTPError) as not_found:
            opener.open(f"{base}/bestaat-niet/")
        assert not_found.value.code == 404
        assert "Pagina niet gevonden" in not_found.value.read().decode()  # the friendly page, not debug
    finally:
        server.terminate()
        server.wait(timeout=30)
