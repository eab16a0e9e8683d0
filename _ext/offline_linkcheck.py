"""Link checking where there is no network.

With ``SOP_LINKCHECK_OFFLINE=1`` in the environment (CI has no internet), the
linkcheck builder does not try links to other hosts: they are listed as
``-ignored-``, never as working, and a note at the start says why. Links to
this machine (127.0.0.1, localhost, [::1]) are still checked, so the gate's own
tests can serve pages and see dead links and missing anchors fail. Without the
variable every link is checked.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

ENV_VAR = "SOP_LINKCHECK_OFFLINE"
OTHER_HOSTS = r"^https?://(?!(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$))"


def _skip_other_hosts(app: Sphinx, config: Config) -> None:
    if os.environ.get(ENV_VAR, "") in ("", "0") or app.builder.name != "linkcheck":
        return
    config.linkcheck_ignore = [*config.linkcheck_ignore, OTHER_HOSTS]
    logger.info(
        "%s is set: links to other hosts are not checked and are listed as ignored",
        ENV_VAR,
    )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("builder-inited", lambda app: _skip_other_hosts(app, app.config))
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
