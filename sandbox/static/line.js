"use strict";
// The LINE phone of the sandbox's page: a persona on LINE sees LINE's own message objects (text,
// images, Flex bubbles, button templates) with the newest message's quick replies as chips
// above the input, and the rich menu the desk linked to them as a grid under a menu bar. What
// they tap goes to the page's routes, which send it through the LINE stand-in's signed webhook.
// (Loaded before app.js; it uses app.js's el, post, word and $ when a phone is drawn.)

function makeLinePhone(index) {
  const input = el("input", {type: "text", class: "text", maxlength: "5000", autocomplete: "off"});
  const file = el("input", {type: "file", accept: "image/*,audio/*", class: "file"});
  const phone = el("section", {class: "phone line", dataset: {channel: "line"}},
    el("header", {},
      el("span", {class: "badge"}, "LINE"),
      el("select", {class: "persona", onchange: (e) => switchPersona(index, Number(e.target.value))}),
      el("select", {class: "lang", onchange: (e) => post("/api/language", {user: slots[index], language: e.target.value})},
        ...LANGUAGES.map(([code, label]) => el("option", {value: code}, label)))),
    el("div", {class: "messages"}, el("div", {class: "log"})),
    el("div", {class: "picker", hidden: ""},
      el("input", {type: "datetime-local", class: "when"}),
      el("button", {type: "button", class: "pick"}),
      el("button", {type: "button", class: "cancel", onclick: () => { $(".picker", phone).hidden = true; }}, "×")),
    el("div", {class: "quick"}),
    el("form", {class: "composer", onsubmit: (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      post("/api/say", {user: slots[index], text: input.value});
      input.value = "";
    }},
      el("label", {class: "photo", title: "photo"}, "+", file),
      input,
      el("button", {type: "submit", class: "send"})),
    el("button", {type: "button", class: "menubar", onclick: () => {
      const grid = $(".richmenu", phone);
      grid.hidden = !grid.hidden;
      phone.dataset.menuOpen = grid.hidden ? "no" : "yes";
    }}),
    el("div", {class: "richmenu", hidden: ""}));
  phone.file = file;
  new ResizeObserver(() => {
    const box = $(".messages", phone);
    box.scrollTop = box.scrollHeight;
  }).observe($(".log", phone));
  file.addEventListener("change", () => {
    if (!file.files.length) return;
    const form = new FormData();
    form.append("user", slots[index]);
    form.append("photo", file.files[0]);
    post("/api/photo", form);
    file.value = "";
  });
  return phone;
}

function drawLinePhone(phone, index, user) {
  const persona = personaOf(user);
  phone.dataset.user = user;
  fillPersonas($("select.persona", phone), index, user);
  $("select.lang", phone).value = persona.language;
  $(".messages", phone).lang = LANG_TAGS[persona.language];
  $(".richmenu", phone).lang = LANG_TAGS[persona.language];
  $("input.text", phone).placeholder = word("line_message");
  $("button.pick", phone).textContent = word("line_pick");
  $("button.send", phone).textContent = word("send");
  const chat = state.chats[user] || [];
  const key = JSON.stringify(chat) + pageLanguage;
  if (drawn[index].chat !== key) {
    $(".log", phone).replaceChildren(...chat.map((entry) => lineBubble(phone, user, entry)));
    $(".quick", phone).replaceChildren(...quickReplies(phone, user, chat));
    $(".messages", phone).scrollTop = $(".messages", phone).scrollHeight;
    drawn[index].chat = key;
  }
  const menu = (state.line_menus || {})[user] || null;
  const menuKey = JSON.stringify(menu) + pageLanguage;
  if (drawn[index].menu !== menuKey) {
    drawRichMenu(phone, user, menu, !drawn[index].menuSeen);
    drawn[index].menu = menuKey;
    drawn[index].menuSeen = drawn[index].menuSeen || !!menu;
  }
  drawn[index].pageLanguage = pageLanguage;
}

// The rich menu as LINE shows it: its areas (here their labels, where LINE draws the menu's
// picture) in a grid at the bottom, opened and closed by the bar with the menu's chat bar text;
// open at first when the menu says so ("selected"), as LINE opens it.
function drawRichMenu(phone, user, menu, first) {
  const bar = $(".menubar", phone);
  const grid = $(".richmenu", phone);
  bar.hidden = !menu;
  if (!menu) {
    grid.hidden = true;
    grid.replaceChildren();
    return;
  }
  bar.replaceChildren(el("span", {class: "bartext"}, menu.chatBarText || word("line_menu")), " ▼");
  const size = menu.size || {width: 2500, height: 1686};
  grid.style.aspectRatio = `${size.width} / ${size.height}`;
  grid.replaceChildren(...(menu.areas || []).map((area) => {
    const b = area.bounds;
    const action = area.action || {};
    return el("button", {
      type: "button", class: "area", dataset: {data: action.data || action.text || ""},
      style: `left:${100 * b.x / size.width}%;top:${100 * b.y / size.height}%;`
        + `width:${100 * b.width / size.width}%;height:${100 * b.height / size.height}%`,
      onclick: () => act(phone, user, null, action, "menu"),
    }, actionLabel(action));
  }));
  if (first && menu.selected) {
    grid.hidden = false;
    phone.dataset.menuOpen = "yes";
  }
}

function actionLabel(action) {
  return action.label || action.displayText || action.text || action.data || "";
}

// One message of the chat: the person's on the right in LINE's green, the desk's on the left.
function lineBubble(phone, user, entry) {
  const message = entry.message || {};
  const out = entry.outgoing;
  const box = el("div", {class: "msg" + (out ? " out" : ""), dataset: {id: entry.id, type: message.type || ""}});
  if (message.type === "text") box.append(el("div", {class: "text"}, message.text));
  else if (message.type === "image") {
    box.classList.add("picture");
    box.append(lineImage(message, entry));
  }
  else if (message.type === "audio") {
    const src = message.originalContentUrl || entry.content_url;
    box.append(src ? el("audio", {controls: "", src, class: "voice"})
      : el("span", {class: "voice"}, word("voice")));
  } else if (message.type === "location") {
    box.append(el("div", {class: "place"}, `${message.title || ""} ${message.address || ""}`.trim(),
      el("small", {}, `${message.latitude}, ${message.longitude}`)));
  } else if (message.type === "sticker") box.append(el("div", {class: "sticker"}, word("line_sticker")));
  else if (message.type === "flex") {
    box.classList.add("card");
    box.append(flex(phone, user, entry.id, message.contents));
  } else if (message.type === "template") {
    box.classList.add("card");
    box.append(template(phone, user, entry.id, message.template));
  } else if (message.type === "postback") box.append(el("div", {class: "text"}, message.displayText || ""));
  else box.append(el("div", {class: "text"}, message.altText || message.text || `[${message.type}]`));
  return box;
}

function lineImage(message, entry) {
  const src = message.previewImageUrl || message.originalContentUrl || entry.content_url;
  if (!src) return el("div", {class: "missing"}, "—");
  return el("a", {href: message.originalContentUrl || src, target: "_blank", rel: "noopener"},
    el("img", {src, alt: "photo"}));
}

// A Flex message's bubble (or a carousel of them) as LINE lays it out: boxes of texts,
// images, separators and buttons; a button acts as LINE's client does.
function flex(phone, user, id, node) {
  if (!node) return null;
  if (node.type === "carousel") {
    return el("div", {class: "carousel"}, ...(node.contents || []).map((b) => flex(phone, user, id, b)));
  }
  if (node.type === "bubble") {
    return el("div", {class: "bubble"}, ...["header", "hero", "body", "footer"].map((part) =>
      node[part] ? el("div", {class: `part ${part}`}, flex(phone, user, id, node[part])) : null));
  }
  if (node.type === "box") {
    const box = el("div", {class: `box ${node.layout || "vertical"}`},
      ...(node.contents || []).map((c) => flex(phone, user, id, c)));
    if (node.backgroundColor) box.style.background = node.backgroundColor;
    return box;
  }
  if (node.type === "text") {
    const text = el("div", {class: "ftext" + (node.weight === "bold" ? " bold" : "")
      + (node.size ? ` size-${node.size}` : "")},
    node.contents ? node.contents.map((s) => s.text).join("") : node.text);
    if (node.color) text.style.color = node.color;
    if (node.flex !== undefined) text.style.flex = node.flex;
    return text;
  }
  if (node.type === "image") return el("img", {src: node.url, alt: "", class: "fimage"});
  if (node.type === "separator") return el("hr", {class: "separator"});
  if (node.type === "button") return actionButton(phone, user, id, node.action || {}, node.style || "link");
  return null;
}

function template(phone, user, id, body) {
  if (!body) return null;
  if (body.type === "carousel") {
    return el("div", {class: "carousel"}, ...(body.columns || []).map((c) =>
      template(phone, user, id, {...c, type: "buttons"})));
  }
  return el("div", {class: "bubble"},
    body.thumbnailImageUrl ? el("img", {src: body.thumbnailImageUrl, alt: "", class: "fimage"}) : null,
    el("div", {class: "part body"},
      body.title ? el("div", {class: "ftext bold"}, body.title) : null,
      el("div", {class: "ftext"}, body.text || "")),
    el("div", {class: "part footer" + (body.type === "confirm" ? " row" : "")},
      ...(body.actions || []).map((a) => actionButton(phone, user, id, a, "link"))));
}

function actionButton(phone, user, id, action, style) {
  if (action.type === "uri") {  // a document's link card: the desk's signed address
    return el("a", {class: `fbutton ${style} uri`, href: action.uri, target: "_blank", rel: "noopener"},
      action.label || action.uri);
  }
  return el("button", {type: "button", class: `fbutton ${style}`, dataset: {data: action.data || action.text || ""},
    onclick: () => act(phone, user, id, action, "button")}, actionLabel(action));
}

// The newest message's quick replies: LINE shows them only while it is the last one.
function quickReplies(phone, user, chat) {
  const last = chat[chat.length - 1];
  if (!last || last.outgoing) return [];
  const items = ((last.message || {}).quickReply || {}).items || [];
  return items.map((item) => {
    const action = item.action || {};
    return el("button", {type: "button", class: `chip ${action.type}`, dataset: {data: action.data || action.text || ""},
      onclick: () => act(phone, user, last.id, action, "quick")},
    action.label || word(`line_${action.type}`));
  });
}

// What LINE's client does when an action is tapped.
function act(phone, user, id, action, where) {
  const tapped = {user, message_id: id, where, data: action.data, label: action.label || null};
  if (action.type === "postback") post("/api/tap", tapped);
  else if (action.type === "message") post("/api/say", {user, text: action.text});
  else if (action.type === "uri") window.open(action.uri, "_blank", "noopener");
  else if (action.type === "camera" || action.type === "cameraRoll") phone.file.click();
  else if (action.type === "location") post("/api/location", {user});
  else if (action.type === "datetimepicker") {
    const picker = $(".picker", phone);
    const when = $("input.when", picker);
    const mode = action.mode || "datetime";
    when.type = {date: "date", time: "time"}[mode] || "datetime-local";
    when.value = action.initial || "";
    if (action.min) when.min = action.min;
    if (action.max) when.max = action.max;
    picker.hidden = false;
    $("button.pick", picker).onclick = () => {
      if (!when.value) return;
      picker.hidden = true;
      post("/api/tap", {...tapped, params: {[mode]: when.value}});
    };
  }
}
