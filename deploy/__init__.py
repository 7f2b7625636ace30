"""Serving the web app from several processes behind nginx (``make serve``); not in the wheel."""
