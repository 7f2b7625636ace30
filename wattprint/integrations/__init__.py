"""Training-loop integrations, each behind its framework's optional import.

- :mod:`wattprint.integrations.transformers`: ``WattprintCallback`` for ``transformers.Trainer``;
- :mod:`wattprint.integrations.lightning`: ``WattprintCallback`` for a Lightning ``Trainer``.

Importing :mod:`wattprint` imports neither framework; importing one of these modules imports its
framework. Both share :mod:`wattprint.integrations.outputs` for what they write at the end.
"""
