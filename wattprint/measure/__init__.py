"""Live measurement: power backends behind one Protocol, a sampler with windows, a crash-safe log.

Nothing here touches hardware at import time: NVML is imported inside :class:`NvmlBackend`.
"""
