"""`.streamlit/config.toml`: the app binds localhost, sends no usage statistics, keeps XSRF
protection on, limits uploads and shows no tracebacks to users."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def test_streamlit_config_is_locked_down() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    server = config["server"]
    assert server["address"] in ("localhost", "127.0.0.1")
    assert server["headless"] is True
    assert server["enableXsrfProtection"] is True
    assert 1 <= server["maxUploadSize"] <= 200, "uploads are limited [MB]"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["global"]["developmentMode"] is False
    assert config["client"]["showErrorDetails"] in ("none", False)
    # st.dataframe's toolbar download does not neutralise formula cells: it is off.
    assert config["client"]["disableDataExport"] is True
