"use strict";
// The sandbox's page: phones side by side, each drawing one persona's chat from the state the
// server keeps (Telegram-shaped messages), and sending what the person does.

const WORDS = {
  zh_Hant: {clock: "客服中心時間", ahead: "已快轉 {h} 小時", hour: "+1 小時", day: "+1 天",
    add: "新增住戶", name: "姓名", phone: "電話", create: "加入", message: "訊息",
    send: "傳送", photo: "照片", edited: "已編輯", voice: "語音", setup: "正在建立示範屋苑…", ok: "確定",
    resident: "住戶", clerk: "客服", technician: "維修人員", supervisor: "主管",
    manager: "經理", contractor: "施工責任單位",
    setting_up: "示範屋苑仍在建立中，請稍候。", empty: "請先輸入內容。",
    too_long: "一則訊息最多 4096 字。", no_button: "這個按鈕已不在該訊息上。",
    no_phone: "這位人物沒有電話號碼。", not_picture: "請選擇圖片（JPEG、PNG、WebP 或 GIF）。",
    too_big: "照片最大 10 MB。", persona_fields: "請填寫姓名和電話。", failed: "操作失敗，請再試一次。",
    line_message: "輸入訊息", line_menu: "選單", line_camera: "相機", line_cameraRoll: "相簿",
    line_location: "位置資訊", line_datetimepicker: "選擇日期時間", line_pick: "確定", line_sticker: "（貼圖）",
    on_line: "LINE", on_telegram: "Telegram", channel: "使用"},
  zh_Hans: {clock: "客服中心时间", ahead: "已快进 {h} 小时", hour: "+1 小时", day: "+1 天",
    add: "新增住户", name: "姓名", phone: "电话", create: "加入", message: "消息",
    send: "发送", photo: "照片", edited: "已编辑", voice: "语音", setup: "正在建立示范小区…", ok: "确定",
    resident: "住户", clerk: "客服", technician: "维修人员", supervisor: "主管",
    manager: "经理", contractor: "施工责任单位",
    setting_up: "示范小区仍在建立中，请稍候。", empty: "请先输入内容。",
    too_long: "一条消息最多 4096 字。", no_button: "这个按钮已不在该消息上。",
    no_phone: "这位人物没有电话号码。", not_picture: "请选择图片（JPEG、PNG、WebP 或 GIF）。",
    too_big: "照片最大 10 MB。", persona_fields: "请填写姓名和电话。", failed: "操作失败，请再试一次。",
    line_message: "输入消息", line_menu: "菜单", line_camera: "相机", line_cameraRoll: "相册",
    line_location: "位置信息", line_datetimepicker: "选择日期时间", line_pick: "确定", line_sticker: "（贴图）",
    on_line: "LINE", on_telegram: "Telegram", channel: "使用"},
  en: {clock: "Desk time", ahead: "{h} h ahead", hour: "+1 hour", day: "+1 day",
    add: "Add a resident", name: "Name", phone: "Phone", create: "Add", message: "Message",
    send: "Send", photo: "Photo", edited: "edited", voice: "Voice note", setup: "Setting up the demo estate…",
    ok: "OK", resident: "Resident", clerk: "Clerk", technician: "Technician",
    supervisor: "Supervisor", manager: "Manager", contractor: "Responsible unit",
    setting_up: "The demo estate is still being set up; a moment, please.",
    empty: "Type something first.", too_long: "A message holds at most 4096 characters.",
    no_button: "That button is no longer on that message.",
    no_phone: "This person has no phone number.",
    not_picture: "Choose a picture (JPEG, PNG, WebP or GIF).", too_big: "A photo of at most 10 MB.",
    persona_fields: "Fill in a name and a phone number.", failed: "That did not work; please try again.",
    line_message: "Enter a message", line_menu: "Menu", line_camera: "Camera",
    line_cameraRoll: "Camera roll", line_location: "Location", line_datetimepicker: "Pick a date and time",
    line_pick: "OK", line_sticker: "(sticker)", on_line: "LINE", on_telegram: "Telegram", channel: "on"},
};
const LANGUAGES = [["zh_Hant", "繁"], ["zh_Hans", "简"], ["en", "EN"]];
const LANG_TAGS = {zh_Hant: "zh-Hant", zh_Hans: "zh-Hans", en: "en"};

let pageLanguage = localStorage.getItem("sandbox-language") || "zh_Hant";
let state = null;
let slots = null;         // the user id each phone shows
const drawn = [];         // per phone: what was drawn last, to draw only what changed
const toastsSeen = {};    // per user: how many of its toasts were shown

const $ = (selector, root = document) => root.querySelector(selector);
const word = (key) => (WORDS[pageLanguage] || WORDS.en)[key] || key;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

async function post(path, body) {
  const options = body instanceof FormData ? {method: "POST", body}
    : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const response = await fetch(path, options);
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    showStatus(WORDS[pageLanguage][answer.code] ? word(answer.code) : word("failed"));
  }
  return response;
}

let statusTimer = null;
function showStatus(text) {
  $("#status").textContent = text;
  clearTimeout(statusTimer);
  if (text) statusTimer = setTimeout(() => { $("#status").textContent = ""; }, 5000);
}

async function watch() {
  let version = -1;
  for (;;) {
    try {
      const response = await fetch(`/api/state?since=${version}`);
      state = await response.json();
      version = state.version;
      draw();
    } catch (error) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function drawBar() {
  document.documentElement.lang = LANG_TAGS[pageLanguage];
  $("#advance-hour").textContent = word("hour");
  $("#advance-day").textContent = word("day");
  $("#add-persona").textContent = word("add");
  $("#page-language").value = pageLanguage;
  const form = $("#new-persona");
  form.name.placeholder = word("name");
  form.phone.placeholder = word("phone");
  $("button", form).textContent = word("create");
  if (state) {
    const ahead = state.clock.ahead_hours ? ` (${word("ahead").replace("{h}", state.clock.ahead_hours)})` : "";
    $("#clock").textContent = `${word("clock")} ${state.clock.now}${ahead}`;
    $("#title").textContent = "estatedesk";
    if (!state.ready) showStatus(word("setup"));
    else if ($("#status").textContent === word("setup")) showStatus("");
  }
}

function draw() {
  drawBar();
  if (!state) return;
  if (!slots) slots = [...state.shown];
  const box = $("#phones");
  slots.forEach((user, index) => {
    const channel = (personaOf(user) || {}).channel || "telegram";
    let phone = box.children[index];
    if (!phone || (phone.dataset.channel || "telegram") !== channel) {  // LINE's or Telegram's
      const fresh = channel === "line" ? makeLinePhone(index) : makePhone(index);
      if (phone) phone.replaceWith(fresh); else box.append(fresh);
      phone = fresh;
      drawn[index] = {};
    }
    if (channel === "line") drawLinePhone(phone, index, user);
    else drawPhone(phone, index, user);
  });
}

function switchPersona(index, user) {
  slots[index] = user;
  drawn[index] = {};
  draw();
}

// The persona list of a phone's header: each persona with their role and, on LINE, "LINE".
function fillPersonas(select, index, user) {
  const choices = state.personas.map((p) => `${p.user_id}:${p.name}:${p.role}:${p.channel}`).join("|");
  if (drawn[index].choices !== choices || drawn[index].pageLanguage !== pageLanguage) {
    select.replaceChildren(...state.personas.map((p) => el("option", {value: p.user_id},
      `${p.name} · ${word(p.role)}${p.channel === "line" ? " · LINE" : ""}`)));
    drawn[index].choices = choices;
  }
  select.value = user;
}

function personaOf(user) {
  return state.personas.find((p) => p.user_id === user);
}

function makePhone(index) {
  const input = el("input", {type: "text", class: "text", maxlength: "4096", autocomplete: "off"});
  const file = el("input", {type: "file", accept: "image/*,audio/*", class: "file"});
  const phone = el("section", {class: "phone"},
    el("header", {},
      el("select", {class: "persona", onchange: (e) => {
        phone.dataset.stick = "yes";
        switchPersona(index, Number(e.target.value));
      }}),
      el("select", {class: "lang", onchange: (e) => post("/api/language", {user: slots[index], language: e.target.value})},
        ...LANGUAGES.map(([code, label]) => el("option", {value: code}, label)))),
    el("div", {class: "messages", onscroll: (e) => {
      if (Date.now() - (phone.touched || 0) > 1000) return;  // moved by the page, not a person
      const box = e.target;  // reading older messages: stay there; back at the end: follow
      phone.dataset.stick = box.scrollHeight - box.scrollTop - box.clientHeight < 60 ? "yes" : "no";
    }}, el("div", {class: "log"})),
    el("div", {class: "commands", hidden: ""}),
    el("div", {class: "keyboard"}),
    el("form", {class: "composer", onsubmit: (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      post("/api/say", {user: slots[index], text: input.value});
      input.value = "";
    }},
      el("button", {type: "button", class: "menu", title: "/", onclick: () => {
        const list = $(".commands", phone);
        list.hidden = !list.hidden;
      }}, "/"),
      el("label", {class: "photo", title: "photo"}, word("photo"), file),
      input,
      el("button", {type: "submit", class: "send"}, word("send"))));
  // Photos and fonts arriving make the chat taller after it was drawn: follow it down.
  new ResizeObserver(() => {
    const box = $(".messages", phone);
    if (phone.dataset.stick !== "no") box.scrollTop = box.scrollHeight;
  }).observe($(".log", phone));
  for (const kind of ["wheel", "touchmove", "keydown", "mousedown"]) {
    $(".messages", phone).addEventListener(kind, () => { phone.touched = Date.now(); });
  }
  file.addEventListener("change", () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("user", slots[index]);
    form.append("photo", file.files[0]);
    form.append("caption", input.value);
    input.value = "";
    post("/api/photo", form);
    file.value = "";
  });
  return phone;
}

function drawPhone(phone, index, user) {
  const persona = personaOf(user);
  phone.dataset.user = user;
  fillPersonas($("select.persona", phone), index, user);
  $("select.lang", phone).value = persona.language;
  $(".messages", phone).lang = LANG_TAGS[persona.language];  // its script's face (style.css)
  $("input.text", phone).placeholder = word("message");
  $("button.send", phone).textContent = word("send");
  $("label.photo", phone).firstChild.textContent = word("photo");
  const chat = state.chats[user] || [];
  const key = JSON.stringify(chat) + pageLanguage;
  if (drawn[index].chat !== key) {
    const box = $(".messages", phone);
    $(".log", phone).replaceChildren(...bubbles(chat, user));
    if (phone.dataset.stick !== "no") box.scrollTop = box.scrollHeight;
    $(".keyboard", phone).replaceChildren(...replyKeyboard(chat, user));
    drawn[index].chat = key;
  }
  const menu = state.menus[user] || [];
  const menuKey = JSON.stringify(menu);
  if (drawn[index].menu !== menuKey) {  // the bot's command menu for this person, as set
    $(".commands", phone).replaceChildren(...menu.map((c) => el("button", {
      type: "button", dataset: {command: c.command},
      onclick: () => { $(".commands", phone).hidden = true; post("/api/say", {user: slots[index], text: `/${c.command}`}); },
    }, el("b", {}, `/${c.command}`), ` ${c.description}`)));
    drawn[index].menu = menuKey;
  }
  drawn[index].pageLanguage = pageLanguage;
  drawToasts(phone, user);
}

function bubbles(chat, user) {
  const out = [];
  for (let i = 0; i < chat.length; i++) {
    const message = chat[i];
    if (message.media_group_id) {  // an album: one bubble
      const album = [message];
      while (i + 1 < chat.length && chat[i + 1].media_group_id === message.media_group_id) album.push(chat[++i]);
      out.push(el("div", {class: "msg photo-msg" + (message.outgoing ? " out" : ""), dataset: {id: message.message_id}},
        el("div", {class: "album"}, ...album.map(picture)),
        album.find((m) => m.caption) ? album.find((m) => m.caption).caption : null));
      continue;
    }
    out.push(bubble(message, user));
  }
  return out;
}

function picture(message) {
  if (message.photo_url) {
    return el("img", {src: message.photo_url, alt: "photo"});
  }
  if (message.document) return documentLink(message);
  return el("div", {class: "missing"}, "—");
}

function documentLink(message) {
  const name = message.document.file_name || "document";
  return message.document_url
    ? el("a", {class: "doc", href: message.document_url, download: name}, `↓ ${name}`)
    : el("span", {class: "doc"}, `↓ ${name}`);
}

function bubble(message, user) {
  const parts = [];
  if (message.photo) parts.push(picture(message));
  if (message.document) parts.push(documentLink(message));
  if (message.voice) {
    parts.push(message.voice_url ? el("audio", {controls: "", src: message.voice_url, class: "voice"})
      : el("span", {class: "voice"}, `${word("voice")} ${message.voice.duration}s`));
  }
  if (message.contact) parts.push(`☎ ${message.contact.phone_number}`);
  const text = message.text ?? message.caption;
  if (text) {
    parts.push(el("div", {class: "text"},
      ...formatted(text, message.entities || message.caption_entities || [], 0, text.length)));
  }
  if (message.edit_date) parts.push(el("span", {class: "edited"}, word("edited")));
  const rows = (message.reply_markup || {}).inline_keyboard || [];
  if (rows.length) {
    parts.push(el("div", {class: "inline"}, ...rows.map((row) => el("div", {class: "row"},
      ...row.map((button) => el("button", {
        type: "button", dataset: {data: button.callback_data || ""},
        onclick: () => button.url ? window.open(button.url, "_blank", "noopener")
          : post("/api/tap", {user, message_id: message.message_id, data: button.callback_data}),
      }, button.text))))));
  }
  const kind = message.photo ? " photo-msg" : "";
  return el("div", {class: "msg" + kind + (message.outgoing ? " out" : ""), dataset: {id: message.message_id}}, ...parts);
}

const ENTITY_TAGS = {bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
  pre: "pre", spoiler: "span", blockquote: "blockquote", text_link: "a", url: "a"};

// The text with its entities drawn (offsets in UTF-16 units, as JavaScript counts): an entity
// inside another is drawn inside it; one that overlaps an earlier one is drawn plain.
function formatted(text, entities, from, to) {
  const inside = entities.filter((e) => e.offset >= from && e.offset + e.length <= to);
  const contains = (o, e) => o !== e && o.offset <= e.offset && o.offset + o.length >= e.offset + e.length
    && (o.length > e.length || inside.indexOf(o) < inside.indexOf(e));
  const top = inside.filter((e) => !inside.some((o) => contains(o, e))).sort((a, b) => a.offset - b.offset);
  const out = [];
  let at = from;
  for (const e of top) {
    if (e.offset < at) continue;
    if (e.offset > at) out.push(text.slice(at, e.offset));
    const children = formatted(text, inside.filter((o) => o !== e), e.offset, e.offset + e.length);
    const tag = ENTITY_TAGS[e.type];
    if (!tag) {
      out.push(...children);
    } else {
      const attributes = {class: `e-${e.type}`};
      const href = e.type === "url" ? text.slice(e.offset, e.offset + e.length) : e.url;
      if (tag === "a" && /^(https?|tg):/i.test(href || "")) Object.assign(attributes, {href, target: "_blank", rel: "noopener"});
      out.push(el(tag, attributes, ...children));
    }
    at = e.offset + e.length;
  }
  if (at < to) out.push(text.slice(at, to));
  return out;
}

function replyKeyboard(chat, user) {
  let shown = null;
  for (const message of chat) {
    if (message.outgoing) {
      if (shown && shown.one_time_keyboard) shown = null;
      continue;
    }
    if (message.keyboard) shown = message.keyboard.remove_keyboard ? null : message.keyboard;
  }
  if (!shown) return [];
  return shown.keyboard.map((row) => el("div", {class: "row"}, ...row.map((button) => {
    const label = typeof button === "string" ? button : button.text;
    return el("button", {
      type: "button", class: button.request_contact ? "contact" : "key",
      onclick: () => button.request_contact ? post("/api/contact", {user}) : post("/api/say", {user, text: label}),
    }, label);
  })));
}

function drawToasts(phone, user) {
  const toasts = state.toasts[user] || [];
  const seen = toastsSeen[user] ?? toasts.length;  // what was there before the page opened
  toastsSeen[user] = toasts.length;
  for (const toast of toasts.slice(seen)) {
    const box = el("div", {class: "toast" + (toast.alert ? " alert" : "")}, toast.text);
    if (toast.alert) box.append(el("button", {type: "button", onclick: () => box.remove()}, word("ok")));
    else setTimeout(() => box.remove(), 2500);
    phone.append(box);
  }
}

$("#advance-hour").addEventListener("click", () => post("/api/clock", {hours: 1}));
$("#advance-day").addEventListener("click", () => post("/api/clock", {hours: 24}));
$("#add-persona").addEventListener("click", () => { $("#new-persona").hidden = !$("#new-persona").hidden; });
$("#page-language").addEventListener("change", (e) => {
  pageLanguage = e.target.value;
  localStorage.setItem("sandbox-language", pageLanguage);
  draw();
});
$("#new-persona").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = e.target;
  const response = await post("/api/persona", {name: form.name.value, phone: form.phone.value,
    channel: form.channel.value, language: pageLanguage});
  if (response.ok) {
    const persona = await response.json();
    slots.push(persona.user_id);
    form.hidden = true;
    form.name.value = "";
  }
});
drawBar();
watch();
