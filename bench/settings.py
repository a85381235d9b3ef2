"""Settings of the page benchmark's web process: the portal's own, with the floor view mounted beside it."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
