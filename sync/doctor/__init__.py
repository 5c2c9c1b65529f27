"""``partnersync doctor``: checks, before a first run, everything a run relies on."""
