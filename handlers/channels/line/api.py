"""LINE's Messaging API through LINE's own SDK (line-bot-sdk v3, its aiohttp client): the
channel's settings, and the clients of its two hosts (messages; content and rich menu
images). A stand-in or a proxy serves both at one root (LINE_API_URL)."""

from __future__ import annotations

from dataclasses import dataclass

from linebot.v3.messaging import (  # type: ignore[import-untyped]
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
)

LINE_API = "https://api.line.me"
LINE_DATA = "https://api-data.line.me"
# Seconds to wait for LINE's answer to a call (the SDK's own is five minutes): a push that
# times out is tried again with the same retry key, which LINE does not show twice.
PATIENCE = 10.0


@dataclass(frozen=True, slots=True)
class LineSettings:
    """A LINE Official Account's Messaging API channel: its secret (webhook signatures),
    its long-lived access token, the roots of the API and of the content host, and the
    desk's own public https root (the webhook `{public_url}/line[/<estate>]`, and the
    addresses LINE fetches the desk's pictures and files from)."""
    secret: str
    token: str
    api_url: str = LINE_API
    data_url: str = LINE_DATA
    public_url: str | None = None

    @classmethod
    def at(cls, secret: str, token: str, root: str | None,
           public_url: str | None = None) -> LineSettings:
        """With one root for both hosts (LINE_API_URL: a stand-in, a proxy), or LINE's."""
        if not root:
            return cls(secret, token, public_url=public_url)
        root = root.rstrip("/")
        return cls(secret, token, root, root, public_url)


class LineApi:
    """The SDK's clients of the two hosts. Made at the first call, inside the running event
    loop (the SDK opens its aiohttp session when a client is made); `close()` at shutdown."""

    def __init__(self, settings: LineSettings, timeout: float = PATIENCE) -> None:
        self.settings = settings
        self.timeout = timeout
        self._messaging: AsyncMessagingApi | None = None
        self._blob: AsyncMessagingApiBlob | None = None
        self._clients: list[AsyncApiClient] = []

    def _client(self, host: str) -> AsyncApiClient:
        client = AsyncApiClient(Configuration(host=host.rstrip("/"),
                                              access_token=self.settings.token))
        self._clients.append(client)
        return client

    @property
    def messaging(self) -> AsyncMessagingApi:
        """Replies, pushes, the quota, the webhook, rich menus, profiles."""
        if self._messaging is None:
            self._messaging = AsyncMessagingApi(self._client(self.settings.api_url))
        return self._messaging

    @property
    def blob(self) -> AsyncMessagingApiBlob:
        """The content host: what people sent, rich menu images."""
        if self._blob is None:
            if self.settings.data_url.rstrip("/") == self.settings.api_url.rstrip("/"):
                self._blob = AsyncMessagingApiBlob(self.messaging.api_client)
            else:
                self._blob = AsyncMessagingApiBlob(self._client(self.settings.data_url))
        return self._blob

    async def close(self) -> None:
        clients, self._clients = self._clients, []
        self._messaging = self._blob = None
        for client in clients:
            await client.close()
