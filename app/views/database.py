"""Your database page: check your own hardware_db/ and region_db/ before using them with --db-dir.

The upload is validated in a temporary folder by :func:`wattprint.db.upload.check_upload`; it is never
executed or imported, and it does not replace the bundled databases of this app.
"""

from __future__ import annotations

import streamlit as st

from wattprint.db import upload
from wattprint.db.loader import MAX_FILE_BYTES

# The real limit of one upload, in Streamlit's MB (2**20 bytes, as its uploader counts them).
UPLOAD_LIMIT_MB = upload.MAX_UPLOAD_BYTES // 2**20

st.title("Your database")
st.caption(
    "Check your own hardware_db/ and region_db/ YAML files: upload a zip of both folders, or the "
    "YAML files of each. They are validated with the same rules as the bundled databases, in a "
    f"temporary folder that is then deleted. Limits: {UPLOAD_LIMIT_MB} MB in all per check, "
    f"{MAX_FILE_BYTES // 2**20} MB per file (1 MB = 2**20 bytes), {upload.MAX_UPLOAD_FILES} files. "
    "YAML is read "
    "safely: tags that build objects are refused. Use a valid folder with `wattprint --db-dir DIR`."
)
archive = st.file_uploader(
    "Zip of hardware_db/ and region_db/", type=["zip"], key="db_zip", max_upload_size=UPLOAD_LIMIT_MB
)
hardware_files = st.file_uploader(
    "hardware_db/ YAML files",
    type=["yaml", "yml"],
    accept_multiple_files=True,
    key="db_hardware",
    max_upload_size=UPLOAD_LIMIT_MB,
)
region_files = st.file_uploader(
    "region_db/ YAML files",
    type=["yaml", "yml"],
    accept_multiple_files=True,
    key="db_region",
    max_upload_size=UPLOAD_LIMIT_MB,
)

uploads: list[tuple[str, str, bytes]] = []
if archive is not None:
    uploads.append(("zip", archive.name, archive.getvalue()))
uploads.extend(("hardware_db", f.name, f.getvalue()) for f in hardware_files or [])
uploads.extend(("region_db", f.name, f.getvalue()) for f in region_files or [])

if uploads:
    result = upload.check_upload(uploads)
    if result.valid:
        st.success(
            f"Valid: {len(result.files)} files, {result.devices} hardware entries, {result.regions} regions."
        )
    else:
        st.error(f"{len(result.problems)} problems found; one per line:")
        # st.code shows the text as it is: no Markdown or HTML from file names or contents.
        st.code("\n".join(result.problems), language=None)
    if result.files:
        st.caption("Files read:")
        st.code("\n".join(result.files), language=None)
else:
    st.info("Upload a zip or YAML files to check them.")
