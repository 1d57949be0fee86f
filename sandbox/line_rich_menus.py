"""The LINE stand-in's rich menus, as LINE keeps them: a menu made from its JSON (checked), its
one picture (PNG or JPEG, at most 1 MB, a PNG the menu's size), linked per user or as the
default once pictured, unlinked, deleted; and the HTTP answers of LINE's rich-menu paths."""

from __future__ import annotations

import threading
import uuid

from starlette.requests import Request
from starlette.responses import Response

from sandbox.line_checks import LineError, checked, parse_body, png_size

MAX_IMAGE_BYTES = 1024 * 1024


class RichMenus:
    def __init__(self, lock: threading.Condition) -> None:
        self._lock = lock  # the stand-in's
        self.menus: dict[str, dict] = {}
        self.images: dict[str, tuple[bytes, str]] = {}
        self.of_user: dict[str, str] = {}
        self.default: str | None = None

    def shown_to(self, user_id: str) -> dict | None:
        """The rich menu the user's LINE shows: their own, else the default one."""
        with self._lock:
            menu_id = self.of_user.get(user_id) or self.default
            return dict(self.menus[menu_id]) if menu_id in self.menus else None

    def _known(self, menu_id: str) -> dict:
        if menu_id not in self.menus:
            raise LineError(404, "richmenu not found")
        return self.menus[menu_id]

    def _usable(self, menu_id: str) -> str:
        self._known(menu_id)
        if menu_id not in self.images:
            raise LineError(400, "must upload richmenu image before applying it to user")
        return menu_id

    # --- LINE's paths --------------------------------------------------------------------

    async def create(self, request: Request, body: bytes) -> dict:
        menu = parse_body(body)
        checked(lambda c: c.rich_menu(menu))
        with self._lock:
            menu_id = f"richmenu-{uuid.uuid4().hex}"
            self.menus[menu_id] = {"richMenuId": menu_id, **menu}
            return {"richMenuId": menu_id}

    async def listed(self, request: Request, body: bytes) -> dict:
        with self._lock:
            return {"richmenus": [dict(m) for m in self.menus.values()]}

    async def one(self, request: Request, body: bytes) -> dict:
        menu_id = request.path_params["richMenuId"]
        with self._lock:
            menu = self._known(menu_id)
            if request.method == "GET":
                return dict(menu)
            del self.menus[menu_id]
            self.images.pop(menu_id, None)
            self.of_user = {u: m for u, m in self.of_user.items() if m != menu_id}
            if self.default == menu_id:
                self.default = None
            return {}

    async def image(self, request: Request, body: bytes) -> Response | dict:
        menu_id = request.path_params["richMenuId"]
        with self._lock:
            menu = self._known(menu_id)
            if request.method == "GET":
                if menu_id not in self.images:
                    raise LineError(404, "Not found")
                data, kind = self.images[menu_id]
                return Response(data, media_type=kind)
            kind = request.headers.get("content-type", "")
            if kind not in ("image/png", "image/jpeg"):
                raise LineError(415, "Unsupported Media Type")
            if len(body) > MAX_IMAGE_BYTES:
                raise LineError(400, "The image is larger than 1 MB")
            size = png_size(body)
            if size is not None and size != (menu["size"]["width"], menu["size"]["height"]):
                raise LineError(400, "The image's size does not match the richmenu's size")
            if menu_id in self.images:
                raise LineError(400, "An image has already been uploaded to the richmenu")
            self.images[menu_id] = (body, kind)
            return {}

    async def user(self, request: Request, body: bytes) -> dict:
        user_id = request.path_params["userId"]
        with self._lock:
            if request.method == "GET":
                if user_id not in self.of_user:
                    raise LineError(404, "the user has no richmenu")
                return {"richMenuId": self.of_user[user_id]}
            if request.method == "DELETE":
                self.of_user.pop(user_id, None)
                return {}
            self.of_user[user_id] = self._usable(request.path_params["richMenuId"])
            return {}

    async def everyone(self, request: Request, body: bytes) -> dict:
        with self._lock:
            if request.method == "GET":
                if self.default is None:
                    raise LineError(404, "no default richmenu")
                return {"richMenuId": self.default}
            if request.method == "DELETE":
                self.default = None
                return {}
            self.default = self._usable(request.path_params["richMenuId"])
            return {}
