"""wattprint: energy and carbon of machine-learning work, estimated, compared and measured offline."""

__version__ = "0.3.0.dev0"
