"""`estatedesk demo` as its tests meet it: the real command in a process of its own, and the
page in a real headless Chromium (the distribution's, driven by Selenium through the
distribution's chromedriver; nothing downloads a browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
READY_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Demo:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "demo.log"
        env = {k: v for k, v in os.environ.items()
               if k not in ("TELEGRAM_BOT_TOKEN", "ESTATEDESK_DB", "ESTATEDESK_CONFIG")}
        # The README's command for the sandbox.
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "run"), "demo", "--port", str(self.port),
             "--db", str(folder / "demo.sqlite3")], cwd=ROOT, env=env,
            stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        until = time.monotonic() + READY_SECONDS
        while time.monotonic() < until:
            if "is ready" in self.log.read_text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"the demo never got ready:\n{self.log.read_text()}")

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def browser():
    """A headless Chromium, or the test is skipped where none is installed (CI requires one:
    ESTATEDESK_REQUIRE_BROWSER=1, and .ci/run installs it)."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("ESTATEDESK_REQUIRE_BROWSER"):
            pytest.fail("Chromium and chromedriver are required (apt-get install chromium "
                        "chromium-driver)")
        pytest.skip("no Chromium here: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1900,1000",
                 "--lang=zh-TW"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class Page:
    """The sandbox's page in the browser: each persona's phone by user id."""

    def __init__(self, driver, url: str) -> None:
        self.driver = driver
        driver.get(url)

    def run(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, what: str, timeout: float = 30):
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            found = condition()
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"the page never showed {what}")

    def chat(self, user: int) -> str:
        return self.run("const p = document.querySelector(`.phone[data-user='${arguments[0]}']`);"
                        "return p ? p.querySelector('.messages').innerText : '';", user)

    def last_message(self, user: int) -> str:
        return self.run("const m = document.querySelectorAll("
                        "`.phone[data-user='${arguments[0]}'] .msg`);"
                        "return m.length ? m[m.length - 1].innerText : '';", user)

    def sees(self, user: int, text: str, timeout: float = 30) -> None:
        self.wait(lambda: text in self.chat(user), f"{text!r} in {user}'s chat", timeout)

    def tap(self, user: int, data_prefix: str) -> None:
        """The newest button whose data starts so, in that person's chat; then waits for the
        chat to change (an answer, an edit, or a toast), as a person waits before the next."""
        before = self._look(user)
        self.wait(lambda: self.run(
            "const b = document.querySelectorAll("
            "`.phone[data-user='${arguments[0]}'] .inline button[data-data^='${arguments[1]}']`);"
            "if (!b.length) return false; b[b.length - 1].click(); return true;",
            user, data_prefix), f"a button {data_prefix!r} for {user}")
        self.wait(lambda: self._look(user) != before, f"an answer to {data_prefix!r}")

    def tap_line(self, user: int, data_prefix: str) -> None:
        """On a LINE phone: the quick-reply chip, else the newest card's button, whose
        postback data starts so; then waits for the chat to change, as `tap` does."""
        before = self._look(user)
        self.wait(lambda: self.run(
            "const p = document.querySelector(`.phone[data-user='${arguments[0]}']`);"
            "const want = `[data-data^='${arguments[1]}']`;"
            "const chip = p.querySelector(`.quick .chip${want}`);"
            "const cards = p.querySelectorAll(`.msg .fbutton${want}`);"
            "const b = chip || cards[cards.length - 1];"
            "if (!b) return false; b.click(); return true;",
            user, data_prefix), f"a LINE action {data_prefix!r} for {user}")
        self.wait(lambda: self._look(user) != before, f"an answer to {data_prefix!r}")

    def chips(self, user: int) -> list[str]:
        return self.run("return [...document.querySelectorAll("
                        "`.phone[data-user='${arguments[0]}'] .quick .chip`)]"
                        ".map(b => b.innerText);", user)

    def rich_menu(self, user: int) -> list[str]:
        """The labels of the rich menu's areas, opening it by its bar if it is closed."""
        self.wait(lambda: self.run(
            "const p = document.querySelector(`.phone[data-user='${arguments[0]}']`);"
            "return p && !p.querySelector('.menubar').hidden;", user),
            f"the rich menu's bar on {user}'s phone")
        return self.run(
            "const p = document.querySelector(`.phone[data-user='${arguments[0]}']`);"
            "if (p.querySelector('.richmenu').hidden) p.querySelector('.menubar').click();"
            "return [...p.querySelectorAll('.richmenu .area')].map(b => b.innerText);", user)

    def _look(self, user: int) -> str:
        return self.run("const p = document.querySelector(`.phone[data-user='${arguments[0]}']`);"
                        "return p ? p.querySelector('.messages').innerHTML + "
                        "p.querySelectorAll('.toast').length : '';", user)

    def buttons(self, user: int) -> list[str]:
        return self.run("return [...document.querySelectorAll("
                        "`.phone[data-user='${arguments[0]}'] .msg:last-child .inline button`)]"
                        ".map(b => b.innerText);", user)

    def type(self, user: int, text: str) -> None:
        """Types, sends, and waits for the bot's answer below the message."""
        phone = self._phone(user)
        count = "return document.querySelectorAll(`.phone[data-user='${arguments[0]}'] .msg`)"
        before = self.run(count + ".length", user)
        phone.find_element("css selector", "input.text").send_keys(text)
        phone.find_element("css selector", "button.send").click()
        self.wait(lambda: self.run(
            f"const m = {count.removeprefix('return ')}; return m.length > arguments[1] + 1 "
            "&& !m[m.length - 1].classList.contains('out');", user, before),
            f"an answer to {text!r}")

    def shows(self, user: int, text: str, timeout: float) -> bool:
        try:
            self.sees(user, text, timeout)
        except AssertionError:
            return False
        return True

    def upload_photo(self, user: int, path: Path) -> None:
        self._phone(user).find_element("css selector", "input.file").send_keys(str(path))

    def choose(self, selector: str, value: str, user: int | None = None) -> None:
        from selenium.webdriver.support.ui import Select

        root = self._phone(user) if user is not None else self.driver
        Select(root.find_element("css selector", selector)).select_by_value(value)

    def click(self, selector: str) -> None:
        self.driver.find_element("css selector", selector).click()

    def _phone(self, user: int):
        return self.wait(lambda: self.driver.find_elements(
            "css selector", f".phone[data-user='{user}']"), f"the phone of {user}")[0]

    def fonts_drawing(self) -> dict[str, set[str]]:
        """Which fonts the browser drew each element's own text with, by the element's text
        (Chromium's DevTools: the fonts each text run was shaped with). The page redraws as
        the state changes: a pass that met a node redrawn under it is taken again."""
        from selenium.common.exceptions import WebDriverException

        self.wait(lambda: self.run("return document.fonts.status === 'loaded'"),
                  "the page's fonts")
        for _ in range(10):
            try:
                return self._fonts_drawing()
            except WebDriverException as gone:
                if "Could not find node" not in str(gone):
                    raise
                time.sleep(0.5)
        raise AssertionError("the page never stood still long enough to be read")

    def _fonts_drawing(self) -> dict[str, set[str]]:
        cdp = self.driver.execute_cdp_cmd
        cdp("DOM.enable", {})
        cdp("CSS.enable", {})
        root = cdp("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        drawn: dict[str, set[str]] = {}
        for node in cdp("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})[
                "nodeIds"]:
            fonts = cdp("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            if fonts:
                element = cdp("DOM.resolveNode", {"nodeId": node})["object"]
                own = cdp("Runtime.callFunctionOn", {
                    "objectId": element["objectId"], "returnByValue": True,
                    "functionDeclaration": "function () { return [...this.childNodes].filter("
                                           "(n) => n.nodeType === 3).map((n) => n.data)"
                                           ".join(''); }"})["result"].get("value", "")
                drawn.setdefault(own, set()).update(
                    f["familyName"] + ("" if f["isCustomFont"] else " (the computer's)")
                    for f in fonts)
        return drawn

    def screenshot(self, name: str) -> None:
        """Kept under docs/ when ESTATEDESK_SCREENSHOTS=1 (the README shows them)."""
        if os.environ.get("ESTATEDESK_SCREENSHOTS"):
            (ROOT / "docs").mkdir(exist_ok=True)
            self.wait(lambda: self.run("return document.fonts.status === 'loaded'"),
                      "the page's fonts")
            time.sleep(0.5)  # a toast or a photo still drawing
            self.driver.save_screenshot(str(ROOT / "docs" / f"sandbox-{name}.png"))


class PageRoutes:
    """One persona driven through the page's JSON routes, without a browser: what the page's
    buttons post, each step waiting for the bot's answer in the chat."""

    def __init__(self, url: str, user: int) -> None:
        self.url, self.user = url, user

    def chat(self, user: int | None = None) -> list[dict]:
        import httpx

        state = httpx.get(f"{self.url}/api/state").json()
        return state["chats"][str(user or self.user)]

    def newest(self, what, user: int | None = None) -> dict | None:
        return next((m for m in reversed(self.chat(user)) if what(m)), None)

    def until(self, found, what: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if value := found():
                return value
            time.sleep(0.1)
        raise AssertionError(f"never: {what}")

    def _answered(self, action, what: str) -> None:
        """Does `action`, then waits for a message from the bot after the person's."""
        before = len(self.chat())
        response = action()
        assert response.is_success, response.text
        self.until(lambda: len(self.chat()) > before + 1, f"an answer to {what}")

    def say(self, text: str) -> None:
        import httpx

        self._answered(lambda: httpx.post(f"{self.url}/api/say",
                                          json={"user": self.user, "text": text}), text)

    def send_file(self, name: str, data: bytes, mime: str) -> None:
        import httpx

        self._answered(lambda: httpx.post(f"{self.url}/api/photo", data={"user": str(self.user)},
                                          files={"photo": (name, data, mime)}), name)

    def buttons(self) -> tuple[dict, list[str]]:
        card = self.newest(lambda m: m.get("reply_markup")) or {}
        rows = (card.get("reply_markup") or {}).get("inline_keyboard", [])
        return card, [b["callback_data"] for row in rows for b in row]

    def has(self, prefix: str) -> tuple[dict, str] | None:
        """The newest message with buttons, and its button whose data starts so."""
        card, data = self.buttons()
        found = next((d for d in data if d.startswith(prefix)), None)
        return (card, found) if found else None

    def tap(self, prefix: str) -> None:
        import httpx

        card, data = self.until(lambda: self.has(prefix), f"a button {prefix}")
        before = len(self.chat())
        assert httpx.post(f"{self.url}/api/tap", json={
            "user": self.user, "message_id": card["message_id"], "data": data}).is_success
        self.until(lambda: len(self.chat()) > before or self.buttons()[0] != card,
                   f"an answer to {prefix}")
