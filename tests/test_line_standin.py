"""The LINE stand-in as LINE's own SDK sees it: the desk's side is played here by the SDK's async
client over real HTTP, a resident's side by a LinePerson whose webhooks the SDK's parser reads;
what LINE refuses (a spent or expired reply token, the month's cap, a retried push, a wrong
token, a burst, a malformed message) the stand-in refuses too."""

import asyncio
import contextlib
import socket
import uuid
from datetime import date

import httpx
import pytest
import uvicorn
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    DatetimePickerAction,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexMessage,
    FlexText,
    PostbackAction,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
    SetWebhookEndpointRequest,
    TextMessage,
    URIAction,
)
from linebot.v3.messaging import (
    TestWebhookEndpointRequest as WebhookCheck,  # not a pytest class
)
from linebot.v3.webhooks import (
    AudioMessageContent,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.line_api import LineApiStandIn, line_user_id
from tests.line_people import LinePerson, NoSuchLabel

pytestmark = pytest.mark.sqlite_only  # no database at all
SECRET, TOKEN = "estate-secret", "estate-token"
PNG_2500x843 = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (2500).to_bytes(4, "big")
                + (843).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00")


class Desk:
    """The desk's end of the webhook: the SDK's parser, with the signature checked."""

    def __init__(self) -> None:
        self.parser = WebhookParser(SECRET)
        self.events: list = []
        self.raw: list[tuple[bytes, str]] = []

    async def handle(self, body: bytes, signature: str) -> int:
        self.raw.append((body, signature))
        try:
            self.events += self.parser.parse(body.decode(), signature)
        except InvalidSignatureError:
            return 401
        return 200


@contextlib.asynccontextmanager
async def desk_api(line: LineApiStandIn, token: str = TOKEN):
    async with AsyncApiClient(Configuration(access_token=token, host=line.url)) as client:
        yield AsyncMessagingApi(client), AsyncMessagingApiBlob(client)


@contextlib.asynccontextmanager
async def listening(desk: Desk):
    """The desk's webhook as a real HTTP server on this test's loop."""
    async def hook(request: Request) -> Response:
        status = await desk.handle(await request.body(),
                                   request.headers.get("x-line-signature", ""))
        return Response(status_code=status)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/line", hook,
                                                                   methods=["POST"])]),
                                           log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/line"
    finally:
        server.should_exit = True
        await task


def text(words: str) -> list[TextMessage]:
    return [TextMessage(text=words)]


async def test_a_reply_token_answers_once_and_only_while_fresh():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN, reply_token_seconds=60) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=desk.handle)
        async with desk_api(line) as (api, _):
            assert await mei.send("廚房漏水") == 200
            token = desk.events[-1].reply_token
            sent = await api.reply_message(ReplyMessageRequest(reply_token=token,
                                                               messages=text("收到")))
            assert len(sent.sent_messages) == 1
            with pytest.raises(ApiException) as spent:
                await api.reply_message(ReplyMessageRequest(reply_token=token,
                                                            messages=text("again")))
            assert spent.value.status == 400 and "Invalid reply token" in spent.value.body

            # A minute later the token of a new message has expired; so has one expired by hand.
            await mei.send("還在漏")
            line.advance(61)
            with pytest.raises(ApiException) as late:
                await api.reply_message(ReplyMessageRequest(
                    reply_token=desk.events[-1].reply_token, messages=text("late")))
            assert late.value.status == 400
            await mei.send("請回覆")
            line.expire_reply_tokens()
            with pytest.raises(ApiException):
                await api.reply_message(ReplyMessageRequest(
                    reply_token=desk.events[-1].reply_token, messages=text("late")))
        assert mei.texts() == ["收到"] and line.replies == 1 and line.used == 0
        [entry] = [e for e in line.history(mei.user_id) if e.by == "bot"]
        assert entry.via == "reply"


async def test_pushes_count_against_the_month_and_stop_at_the_cap():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN, quota=2) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=desk.handle)
        await mei.follow()
        async with desk_api(line) as (api, _):
            for words in ("已派工", "技師明天到"):
                await api.push_message(PushMessageRequest(to=mei.user_id, messages=text(words)))
            assert (await api.get_message_quota()).value == 2
            assert (await api.get_message_quota_consumption()).total_usage == 2
            with pytest.raises(ApiException) as capped:
                await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("3")))
            assert capped.value.status == 429 and "monthly limit" in capped.value.body

            # Replies are free at the cap; a new month starts the count again.
            await api.reply_message(ReplyMessageRequest(
                reply_token=desk.events[-1].reply_token, messages=text("歡迎")))
            line.advance(32 * 24 * 3600)
            await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("新的月")))
            assert (await api.get_message_quota_consumption()).total_usage == 1
        assert mei.texts() == ["已派工", "技師明天到", "歡迎", "新的月"]
        assert (line.pushes, line.replies) == (3, 1)


async def test_a_push_retried_with_its_key_is_shown_once():
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=Desk().handle)
        await mei.follow()
        key = str(uuid.uuid4())
        async with desk_api(line) as (api, _):
            first = await api.push_message_with_http_info(
                PushMessageRequest(to=mei.user_id, messages=text("R-2026-00001 已完工")),
                x_line_retry_key=key)
            with pytest.raises(ApiException) as again:
                await api.push_message(PushMessageRequest(
                    to=mei.user_id, messages=text("R-2026-00001 已完工")), x_line_retry_key=key)
            assert again.value.status == 409
            assert (again.value.headers["x-line-accepted-request-id"]
                    == first.headers["x-line-request-id"])
            with pytest.raises(ApiException) as malformed:
                await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("x")),
                                       x_line_retry_key="not-a-uuid")
            assert malformed.value.status == 400
        assert mei.texts() == ["R-2026-00001 已完工"] and line.used == 1


async def test_a_wrong_token_and_a_burst_are_refused():
    with LineApiStandIn(secret=SECRET, token=TOKEN, per_second=3) as line:
        async with desk_api(line, token="someone-elses") as (api, _):
            with pytest.raises(ApiException) as unknown:
                await api.get_bot_info()
            assert unknown.value.status == 401
        async with desk_api(line) as (api, _):
            answers = await asyncio.gather(*(api.get_bot_info() for _ in range(5)),
                                           return_exceptions=True)
        refused = [a for a in answers if isinstance(a, ApiException)]
        assert len(refused) == 2 and {a.status for a in refused} == {429}


async def test_someone_who_blocked_the_account_is_not_shown_a_push_nor_counted():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=desk.handle)
        await mei.follow()
        async with desk_api(line) as (api, _):
            assert (await api.get_profile(mei.user_id)).language == "zh-TW"
            await mei.unfollow()
            await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("公告")))
            with pytest.raises(ApiException) as gone:
                await api.get_profile(mei.user_id)
            assert gone.value.status == 404
            # She adds the account again (an event given as LINE's JSON, made whole).
            assert await line.deliver([{"type": "follow", "userId": mei.user_id,
                                        "follow": {"isUnblocked": True}}], desk.handle) == 200
            assert desk.events[-1].follow.is_unblocked and desk.events[-1].reply_token
            await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("歡迎回來")))
        assert mei.texts() == ["歡迎回來"] and line.used == 1
        assert [m["text"] for _, m in line.chats.dropped] == ["公告"]


async def test_what_line_refuses_is_refused_and_not_shown():
    """Raw JSON, as the SDK's own checks would stop some of these before LINE sees them."""
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=Desk().handle)
        await mei.follow()
        hello = {"type": "text", "text": "hi"}
        choice = {"type": "action", "action": {"type": "postback", "label": "是", "data": "y"}}
        refused = {
            "six messages": [hello] * 6,
            "a long text": [{"type": "text", "text": "漏" * 5001}],
            "an emoji past the end": [{"type": "text", "text": "a" * 4999 + "😀"}],
            "fourteen quick replies": [{**hello, "quickReply": {"items": [choice] * 14}}],
            "a long label": [{**hello, "quickReply": {"items": [{"type": "action", "action": {
                "type": "postback", "label": "確" * 21, "data": "y"}}]}}],
            "a photo over http": [{"type": "image", "originalContentUrl": "http://x/a.jpg",
                                   "previewImageUrl": "https://x/a.jpg"}],
            "a camera button in a card": [{"type": "flex", "altText": "card", "contents": {
                "type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
                    {"type": "button", "action": {"type": "camera", "label": "拍照"}}]}}}],
        }
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=line.url, headers=headers) as client:
            for why, messages in refused.items():
                answer = await client.post("/v2/bot/message/push",
                                           json={"to": mei.user_id, "messages": messages})
                assert answer.status_code == 400, why
                assert answer.json()["message"].startswith("The request body has"), why
            fine = await client.post("/v2/bot/message/push", json={
                "to": mei.user_id, "messages": [{**hello, "quickReply": {"items": [choice] * 13}}]})
            assert fine.status_code == 200
        assert mei.texts() == ["hi"] and line.used == 1


async def test_webhooks_are_signed_parsed_by_the_sdk_and_redelivered_flagged():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        async with listening(desk) as url, desk_api(line) as (api, _):
            await api.set_webhook_endpoint(SetWebhookEndpointRequest(endpoint=url))
            assert (await api.get_webhook_endpoint()).endpoint == url
            checked = await api.test_webhook_endpoint(WebhookCheck())
            assert checked.success and checked.status_code == 200

            mei = LinePerson(line, line_user_id(1), "陳美玲")  # through the URL set
            await mei.follow()
            await mei.send("你好")
            await mei.send_photo(b"\xff\xd8\xff\xe0 a leak")
            await mei.send_voice(b"m4a", 4200)
            await mei.send_location(25.033, 121.565, "台北101")
            await mei.send_sticker()
            assert await mei.redeliver() == 200
            await mei.unfollow()
        follow, hello, photo, voice, place, sticker, again, bye = desk.events
        assert isinstance(follow, FollowEvent) and not follow.follow.is_unblocked
        assert isinstance(hello, MessageEvent) and isinstance(hello.message, TextMessageContent)
        assert hello.message.text == "你好" and hello.source.user_id == mei.user_id
        assert isinstance(photo.message, ImageMessageContent)
        assert isinstance(voice.message, AudioMessageContent) and voice.message.duration == 4200
        assert isinstance(place.message, LocationMessageContent)
        assert isinstance(sticker.message, StickerMessageContent)
        assert again.webhook_event_id == sticker.webhook_event_id
        assert again.delivery_context.is_redelivery and not sticker.delivery_context.is_redelivery
        assert isinstance(bye, UnfollowEvent)
        assert len({e.reply_token for e in desk.events[:5]}) == 5  # a fresh one each

        # A body whose signature is not the secret's is refused by the SDK's check.
        body, _ = desk.raw[1]
        with pytest.raises(InvalidSignatureError):
            WebhookParser(SECRET).parse(body.decode(), "Zm9yZ2Vk")
        assert await line.deliver([line.event(mei.user_id, "message", message={
            "type": "text", "text": "forged"})], desk.handle, signature="Zm9yZ2Vk") == 401


async def test_what_a_person_sent_is_served_until_line_deletes_it():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=desk.handle)
        stain = b"\xff\xd8\xff\xe0 the stain"
        await mei.send_photo(stain)
        message_id = desk.events[-1].message.id
        async with desk_api(line) as (_, blob):
            assert bytes(await blob.get_message_content(message_id)) == stain
            line.expire_content(message_id)
            with pytest.raises(ApiException) as gone:
                await blob.get_message_content(message_id)
            assert gone.value.status == 404


async def test_a_rich_menu_is_made_pictured_linked_and_read_back():
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=Desk().handle)
        menu = RichMenuRequest(
            size=RichMenuSize(width=2500, height=843), selected=True, name="resident zh_Hant",
            chat_bar_text="選單", areas=[RichMenuArea(
                bounds=RichMenuBounds(x=0, y=0, width=1250, height=843),
                action=PostbackAction(label="報修", data="/report"))])
        async with desk_api(line) as (api, blob):
            menu_id = (await api.create_rich_menu(menu)).rich_menu_id
            with pytest.raises(ApiException) as bare:  # LINE links only a pictured menu
                await api.link_rich_menu_id_to_user(mei.user_id, menu_id)
            assert bare.value.status == 400
            await blob.set_rich_menu_image(menu_id, body=PNG_2500x843,
                                           _headers={"Content-Type": "image/png"})
            await api.link_rich_menu_id_to_user(mei.user_id, menu_id)
            assert (await api.get_rich_menu_id_of_user(mei.user_id)).rich_menu_id == menu_id
            [listed] = (await api.get_rich_menu_list()).richmenus
            assert listed.chat_bar_text == "選單"
            assert line.menu_of(mei.user_id)["areas"][0]["action"]["data"] == "/report"
            await api.unlink_rich_menu_id_from_user(mei.user_id)
            with pytest.raises(ApiException) as none:
                await api.get_rich_menu_id_of_user(mei.user_id)
            assert none.value.status == 404
            await api.delete_rich_menu(menu_id)
            assert (await api.get_rich_menu_list()).richmenus == []


async def test_a_push_whose_answer_never_came_is_shown_once_after_its_retry():
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", handler=Desk().handle)
        await mei.follow()
        key = str(uuid.uuid4())
        request = PushMessageRequest(to=mei.user_id, messages=text("技師 14:00 到府"))
        line.time_out_next_push()
        async with desk_api(line) as (api, _):
            with pytest.raises(TimeoutError):
                await api.push_message(request, x_line_retry_key=key, _request_timeout=1.5)
            with pytest.raises(ApiException) as taken:
                await api.push_message(request, x_line_retry_key=key)
            assert taken.value.status == 409
            line.fail_next("/v2/bot/message/push", 500)
            line.fail_next("/v2/bot/message/push", 429, {"message": "Too many requests"},
                           {"Retry-After": "2"})
            with pytest.raises(ApiException) as broken:
                await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("b")))
            assert broken.value.status == 500
            with pytest.raises(ApiException) as busy:
                await api.push_message(PushMessageRequest(to=mei.user_id, messages=text("b")))
            assert busy.value.status == 429 and busy.value.headers["Retry-After"] == "2"
        assert mei.texts() == ["技師 14:00 到府"] and line.pushes == 1 and line.used == 1


async def test_a_person_taps_picks_and_opens_only_what_they_were_shown():
    desk = Desk()
    with LineApiStandIn(secret=SECRET, token=TOKEN) as line:
        mei = LinePerson(line, line_user_id(1), "陳美玲", "en", handler=desk.handle)
        await mei.follow()
        card = FlexMessage(alt_text="R-2026-00001 assigned", contents=FlexBubble(
            body=FlexBox(layout="vertical", contents=[
                FlexText(text="Leak under the sink"),
                FlexButton(action=PostbackAction(label="Accept", data="t:accept:1")),
                FlexButton(action=URIAction(label="Photo", uri="https://desk.example/m/1"))])))
        ask = TextMessage(text="When can we come?", quick_reply=QuickReply(items=[
            QuickReplyItem(action=DatetimePickerAction(label="Pick a time", data="visit:1",
                                                       mode="date", min="2026-12-08")),
            QuickReplyItem(action=PostbackAction(label="Any time", data="visit:any"))]))
        async with desk_api(line) as (api, _):
            await api.push_message(PushMessageRequest(to=mei.user_id, messages=[card, ask]))
        assert mei.new_texts() == ["R-2026-00001 assigned\nLeak under the sink",
                                   "When can we come?"]
        assert mei.labels() == ["Pick a time", "Any time"]
        await mei.tap("Accept")
        assert desk.events[-1].postback.data == "t:accept:1"
        await mei.tap("Any time")
        assert isinstance(desk.events[-1], PostbackEvent)
        assert desk.events[-1].postback.data == "visit:any"
        await mei.pick(date(2026, 12, 9))
        assert desk.events[-1].postback.params == {"date": "2026-12-09"}
        with pytest.raises(ValueError):
            await mei.pick("2026-12-01")  # before the picker's min: the app does not offer it
        assert mei.link("Photo") == "https://desk.example/m/1"
        with pytest.raises(NoSuchLabel):
            await mei.tap("Photo")
        with pytest.raises(NoSuchLabel):
            await mei.tap("Decline")
        await mei.postback("t:accept:999")  # a forged one reaches the desk all the same
        assert desk.events[-1].postback.data == "t:accept:999"
        assert mei.new_texts() == [] and mei.last_text == "When can we come?"
