"""Named scenario files (TOML) shipped with coprod; load them with ``Scenario.load(name)``."""
