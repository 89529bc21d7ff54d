"""The gateway API: the kiosk's HTTP client and the embedded reference platform.

Kiosk code uses ``PlatformClient`` and the errors below; the server side
(``kiosk.platform.server``, ``kiosk.platform.embedded``) imports FastAPI and
uvicorn, so it is imported only where a platform is started.
"""

from kiosk.platform.client import PlatformClient
from kiosk.platform.errors import NotFound, PlatformError, PlatformUnavailable, Rejected

__all__ = ["NotFound", "PlatformClient", "PlatformError", "PlatformUnavailable", "Rejected"]
