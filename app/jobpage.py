"""Starting and finishing a page that uses the shared job: a link in, inline warnings, the URL out.

These call Streamlit; the job's parsing and checking is in :mod:`app.state`, which imports no
other module of the app (so ``state`` <- ``cached`` <- ``widgets`` <- ``jobpage`` has no circle).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app import cached, components, state, widgets


def open_page(options: state.PageOptions | None = None, edits_job: bool = False) -> dict[str, Any]:
    """Start a page: apply a link, check its ids, warn inline about what was ignored; the job."""
    session = st.session_state
    problems = state.load(session, st.query_params.to_dict(), options)
    problems += session.pop("calc_url_problems", [])
    job: dict[str, Any] = session[state.SAVED_KEY]
    state.canonical_ids(job, cached.databases())
    regions = cached.region_ids()
    without = cached.excluded_regions()
    problems += state.check_ids(
        job,
        cached.hardware_labels(),
        regions["cloud"],
        regions["grid"],
        dict(zip(without["id"], without["reason"], strict=True)),
        host_ids=cached.databases().hardware.hosts,
        takes_from=cached.takes_from(),
    )
    for problem in problems:
        st.warning(components.plain(f"Link: {problem}"))
    state.bind_widgets(session, options, job_widgets=edits_job)
    return job


def publish(options: state.PageOptions | None = None) -> dict[str, str]:
    """After the page's widgets: save their values, and write the page's URL when the job is valid."""
    session = st.session_state
    state.collect(session, options)
    params = state.page_params(session, options)
    if not state.invalid(session[state.SAVED_KEY]):
        if st.query_params.to_dict() != params:
            st.query_params.from_dict(params)
        state.written(session, params, options)
    return params


def shared_result() -> Any:
    """For a page that uses the job without editing it: link in, URL out. Returns the
    :class:`app.state.JobResult`, or None (with the reason shown) when the job cannot be computed;
    the page draws the job's line with :func:`app.widgets.result_line` after its figures."""
    job = open_page()
    publish()
    return widgets.job_result(job)
