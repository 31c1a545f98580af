"""Settings of `complainer batch` that its option declarations need, without the batch run.

Every run registers every command, so cli/batch.py reads its defaults from here rather than from
flows/batch.py, which imports sending, the composer and the formats.
"""

from __future__ import annotations

DEFAULT_RATE = 10.0  # messages a minute: far below what mail providers throttle or flag
