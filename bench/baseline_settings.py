"""The load benchmark's baseline (bench/load.py): Asa's own settings and middleware, with a
URLconf holding one view that reads one row by primary key. Only gunicorn started by
bench/load.py with `--pythonpath bench` loads this module: it is not in the `asa` package and
no deployment's settings name it, so the baseline page exists nowhere else."""

from asa.settings import *  # noqa: F403 (the same settings as the site, one URLconf apart)

ROOT_URLCONF = "baseline_urls"
