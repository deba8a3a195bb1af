/* The partner pages without a network: the service worker, the outbox, the banner.
 *
 * - registers the service worker (static/js/offline/sw.js, served at /sw.js) and tells
 *   it who is logged in, so it keeps the pages and villagers of this partner only;
 * - a new order or a status change made offline goes to the outbox (IndexedDB, store.js)
 *   with the form's client_request_id; the outbox is sent when the connection returns,
 *   when a page loads and with "Send now", oldest first, through the orders API. A send
 *   that fails on the way is sent again later with the same id: the server creates each
 *   order once. Each answer is shown on its item: sent (with the order number), refused
 *   (the field errors, editable), or not applied (409);
 * - the order list shows the items waiting, editable and deletable until sent;
 * - logging out wipes what this phone kept (after a warning about unsent items).
 * Without JavaScript none of this runs and the forms post as usual. */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="rt-user"]');
  var banner = document.getElementById("offline-banner");
  if (!meta || !banner || !window.RTStore || !window.indexedDB) return;

  var uid = meta.content;
  var bannerText = document.getElementById("offline-banner-text");
  var sendNow = document.getElementById("outbox-send-now");
  var offlineCopy = document.body.dataset.offlineCopy; // set by the worker on a saved copy
  var ordersUrl = banner.dataset.ordersUrl;
  var orderNewUrl = banner.dataset.orderNewUrl;
  var SEND_TIMEOUT_MS = 20000;
  var LAST_USER_KEY = "rt-offline-user";
  var SENT_KEPT_MS = 24 * 60 * 60 * 1000;
  var params = new URLSearchParams(location.search);
  var queuedId = params.get("queued"); // just saved by this page or by the worker
  var onOrderList = location.pathname === ordersUrl;

  var state = {
    items: [],
    sending: false,
    network: offlineCopy ? "down" : "unknown",
    failures: 0,
    retryTimer: null,
    wiped: false,
  };

  // ── Strings, in the page's language (templates/pwa/_scripts.html) ────────
  var strings = {};
  var stringTemplate = document.getElementById("offline-strings");
  if (stringTemplate) {
    stringTemplate.content.querySelectorAll("[data-key]").forEach(function (el) {
      strings[el.dataset.key] = el.textContent.trim();
    });
  }
  function t(key, params) {
    var text = strings[key] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }
  function plural(key, n) {
    return t(key + (n === 1 ? "_one" : "_other"), { n: n });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.className = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  // ── Money, in fen (as partner.js) ────────────────────────────────────────
  function toFen(text) {
    var m = /^\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(String(text || ""));
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  var grouping = document.documentElement.lang.indexOf("zh") === 0 ? "" : ",";
  function formatFen(fen) {
    var yuan = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, grouping);
    return "¥" + yuan + "." + String(fen % 100).padStart(2, "0");
  }

  // ── CSRF: the cookie is current even when the page is an old saved copy ──
  function csrfToken() {
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  if (offlineCopy && /(?:^|;\s*)csrftoken=/.test(document.cookie)) {
    document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = csrfToken();
    });
  }

  // ── Another user on this phone: forget what the previous one left ────────
  var forgotten = Promise.resolve();
  try {
    var lastUser = localStorage.getItem(LAST_USER_KEY);
    if (lastUser && lastUser !== uid) forgotten = RTStore.forgetOtherUsers(uid).catch(function () {});
    localStorage.setItem(LAST_USER_KEY, uid);
  } catch (e) { /* storage disabled: the worker still keys everything by user */ }

  // ── The service worker ───────────────────────────────────────────────────
  function ask(worker, message, timeoutMs) {
    return new Promise(function (resolve) {
      if (!worker) return resolve(null);
      var channel = new MessageChannel();
      var timer = timeoutMs ? setTimeout(function () { resolve(null); }, timeoutMs) : null;
      channel.port1.onmessage = function (event) {
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  function worker() {
    return navigator.serviceWorker && navigator.serviceWorker.controller;
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(banner.dataset.sw, { scope: banner.dataset.swScope }).catch(function () {});
    // `ready` resolves only on pages inside the worker's scope (the partner pages).
    navigator.serviceWorker.ready.then(function (registration) {
      return forgotten.then(function () {
        return ask(registration.active, { type: "hello", user: uid, online: navigator.onLine });
      });
    }).then(function () {
      document.documentElement.dataset.offlineReady = "1";
    });
  }

  // ── The banner ───────────────────────────────────────────────────────────
  function counts() {
    var c = { orders: 0, changes: 0, attention: 0 };
    state.items.forEach(function (item) {
      if (item.state === "waiting" || item.state === "sending") {
        if (item.kind === "order") c.orders += 1;
        else c.changes += 1;
      } else if (item.state === "refused" || item.state === "conflict") {
        c.attention += 1;
      }
    });
    return c;
  }

  function isOffline() {
    return !navigator.onLine || state.network === "down";
  }

  function renderBanner() {
    var c = counts();
    var offline = isOffline();
    var parts = [];
    if (offline) {
      var head = t("offline");
      if (offlineCopy) {
        var when = new Date(offlineCopy);
        if (!isNaN(when)) {
          var time = String(when.getHours()).padStart(2, "0") + ":" + String(when.getMinutes()).padStart(2, "0");
          head += " (" + t("saved_copy", { time: time }) + ")";
        }
      }
      parts.push(head);
    }
    if (c.orders) parts.push(plural("waiting", c.orders));
    if (c.changes) parts.push(plural("changes", c.changes));
    if (c.attention) parts.push(plural("attention", c.attention));
    if (state.sending) parts.push(t("sending"));
    bannerText.textContent = parts.join(" — ");
    banner.hidden = parts.length === 0;
    banner.dataset.offline = offline ? "1" : "0";
    banner.dataset.waiting = String(c.orders);
    banner.dataset.changes = String(c.changes);
    banner.dataset.attention = String(c.attention);
    sendNow.hidden = !navigator.onLine || state.sending || c.orders + c.changes === 0;
  }

  // ── Reading the outbox and showing it ────────────────────────────────────
  function refresh() {
    if (state.wiped) return Promise.resolve();
    return RTStore.outbox(uid).then(function (items) {
      var now = Date.now();
      var old = items.filter(function (item) { return item.state === "sent" && now - (item.sentAt || 0) > SENT_KEPT_MS; });
      old.forEach(function (item) { RTStore.remove(uid, "outbox", item.id); });
      state.items = items.filter(function (item) { return old.indexOf(item) < 0; });
      renderBanner();
      renderList();
      renderOrderPage();
    }).catch(function () { /* private mode without IndexedDB: the forms still post */ });
  }

  function fieldLabel(key) {
    return strings["field_" + key] || key;
  }

  function asList(value) {
    if (Array.isArray(value)) return value.map(String);
    if (value && typeof value === "object") {
      return Object.keys(value).reduce(function (all, key) { return all.concat(asList(value[key])); }, []);
    }
    return value ? [String(value)] : [];
  }

  // The API's 400 body ({"field": [...], "villager": {...}, "lines": [{...}, …]}) as lines of text.
  function errorLines(errors) {
    var lines = [];
    Object.keys(errors || {}).forEach(function (key) {
      var value = errors[key];
      if (key === "lines" && Array.isArray(value) && value.some(function (v) { return v && typeof v === "object"; })) {
        value.forEach(function (lineErrors, index) {
          Object.keys(lineErrors || {}).forEach(function (field) {
            var prefix = t("line_n", { n: index + 1 }) + (field === "non_field_errors" ? "" : " · " + fieldLabel(field));
            lines.push(prefix + ": " + asList(lineErrors[field]).join(" "));
          });
        });
      } else if (key === "villager" && value && !Array.isArray(value)) {
        Object.keys(value).forEach(function (field) {
          var label = field === "non_field_errors" ? "" : fieldLabel("villager." + field) + ": ";
          lines.push(label + asList(value[field]).join(" "));
        });
      } else if (key === "non_field_errors" || key === "detail" || key === "lines") {
        lines.push(asList(value).join(" "));
      } else {
        lines.push(fieldLabel(key) + ": " + asList(value).join(" "));
      }
    });
    return lines;
  }

  function orderTitle(item) {
    var v = item.body.villager || {};
    return [v.name, v.phone].filter(Boolean).join(" · ") || "—";
  }

  function orderSummary(item) {
    var fen = 0;
    var complete = true;
    var parts = (item.body.lines || []).map(function (line) {
      var price = toFen(line.unit_price);
      var qty = parseInt(line.quantity, 10);
      if (price !== null && qty > 0) fen += price * qty;
      else complete = false;
      return line.product_name + " × " + line.quantity;
    });
    return parts.join(", ") + (fen ? " · " + formatFen(fen) + (complete ? "" : " …") : "");
  }

  function stateLabel(item) {
    return t("state_" + item.state);
  }

  function itemNote(item) {
    var note = el("div", { className: "outbox-note" });
    if (item.state === "sent" && item.result) {
      var text = item.kind === "order"
        ? t("sent_order", { order_no: item.result.order_no })
        : t("sent_status", { order_no: item.order.order_no || item.result.order_no, status: item.statusLabel });
      note.appendChild(el("span", { text: text + " " }));
      note.appendChild(el("a", { href: ordersUrl + item.result.id + "/", text: t("view"), "data-sent-link": "" }));
    } else if (item.state === "refused") {
      note.appendChild(el("ul", { className: "errorlist" }, errorLines(item.errors).map(function (line) {
        return el("li", { text: line });
      })));
    } else if (item.state === "conflict") {
      note.appendChild(el("span", { text: (item.detail || "") + " " }));
      if (item.conflictOrder) {
        note.appendChild(el("a", { href: ordersUrl + item.conflictOrder + "/", text: t("view_that_order") }));
      }
    } else if (item.note === "refused") {
      note.appendChild(el("span", { text: t("note_refused", { detail: item.detail }) }));
    } else if (item.note) {
      note.appendChild(el("span", { text: t("note_" + item.note) }));
    }
    return note.childNodes.length ? note : null;
  }

  function itemActions(item) {
    var actions = el("div", { className: "actions" });
    if (item.state === "sent" || (item.kind === "status" && item.state === "conflict")) {
      actions.appendChild(el("button", { type: "button", className: "button", "data-dismiss": item.id, text: t("dismiss") }));
      return actions;
    }
    if (item.state === "sending") return null;
    if (item.kind === "order" && item.state !== "conflict") {
      actions.appendChild(el("a", {
        className: "button", href: orderNewUrl + "?outbox=" + encodeURIComponent(item.id), "data-edit": item.id, text: t("edit"),
      }));
    }
    actions.appendChild(el("button", { type: "button", className: "button", "data-delete": item.id, text: t("delete") }));
    return actions;
  }

  function renderItem(item) {
    var title = item.kind === "order"
      ? orderTitle(item)
      : t("status_change", { order_no: item.order.order_no || "#" + item.order.id, status: item.statusLabel });
    var li = el("li", {
      className: "card outbox-item outbox-" + item.state,
      "data-outbox-item": "",
      "data-id": item.id,
      "data-kind": item.kind,
      "data-state": item.state,
      "data-note": item.note || "",
      "data-client-request-id": item.kind === "order" ? item.body.client_request_id : "",
    }, [
      el("div", { className: "order-card-top" }, [
        el("strong", { text: title }),
        el("span", { className: "badge outbox-badge", text: stateLabel(item) }),
      ]),
      item.kind === "order" ? el("div", { className: "muted", text: orderSummary(item) }) : null,
      itemNote(item),
      itemActions(item),
    ]);
    if (queuedId === item.id) li.classList.add("outbox-new");
    return li;
  }

  function renderList() {
    if (!onOrderList) return;
    var section = document.getElementById("outbox");
    if (!state.items.length) {
      if (section) section.remove();
      return;
    }
    if (!section) {
      section = el("section", { id: "outbox", className: "outbox", "aria-live": "polite" });
      var anchor = document.querySelector("main .title-row");
      if (anchor) anchor.after(section);
      else document.querySelector("main").prepend(section);
    }
    section.textContent = "";
    // What still waits under "Waiting to send", what went under "Sent": a heading never
    // says "waiting" above items that were sent.
    var unsent = state.items.filter(function (item) { return item.state !== "sent"; });
    var sent = state.items.filter(function (item) { return item.state === "sent"; });
    if (unsent.length) {
      section.appendChild(el("h2", { text: t("outbox_title"), id: "outbox-title" }));
      if (queuedId && unsent.some(function (item) { return item.id === queuedId; })) {
        section.appendChild(el("p", { className: "msg msg-info", id: "outbox-queued", text: t("queued") }));
      }
      section.appendChild(el("ul", { className: "outbox-items", id: "outbox-items" }, unsent.map(renderItem)));
    }
    if (sent.length) {
      section.appendChild(el("h2", { text: t("sent_title"), id: "outbox-sent-title" }));
      section.appendChild(el("ul", { className: "outbox-items", id: "outbox-sent-items" }, sent.map(renderItem)));
    }
  }

  // The server's list below the outbox, fetched again once items were sent: the orders
  // just placed (and statuses just changed) show in it without a reload.
  function refreshOrderList() {
    if (!onOrderList) return Promise.resolve();
    var query = new URLSearchParams(location.search);
    query.delete("queued");
    var url = location.pathname + (query.toString() ? "?" + query.toString() : "");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var next = fresh.getElementById("order-list") || fresh.getElementById("no-orders");
      var current = document.getElementById("order-list") || document.getElementById("no-orders");
      if (next && current) {
        current.replaceWith(document.importNode(next, true));
        document.documentElement.dataset.orderListRefreshed = String(Date.now());
      }
    }).catch(function () { /* offline again: the list is refreshed on the next load */ });
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-delete],[data-dismiss]");
    if (!target) return;
    var id = target.dataset.delete || target.dataset.dismiss;
    var item = state.items.filter(function (other) { return other.id === id; })[0];
    if (!item) return;
    if (target.dataset.delete) {
      var question = item.kind === "order" ? t("confirm_delete") : t("confirm_delete_change");
      if (!window.confirm(question)) return;
    }
    RTStore.remove(uid, "outbox", id).then(refresh).then(broadcast);
  });

  // ── An order's page: its status changes waiting, and the action forms offline ─
  var STATUS_ACTION = /\/partner\/orders\/(\d+)\/status\/$/;
  var orderPage = /^\/partner\/orders\/(\d+)\/$/.exec(location.pathname);

  function renderOrderPage() {
    if (!orderPage) return;
    var id = orderPage[1];
    var mine = state.items.filter(function (item) {
      return item.kind === "status" && String(item.order.id) === id && item.state !== "sent";
    });
    var box = document.getElementById("queued-status");
    var actions = document.getElementById("order-actions");
    if (actions) {
      actions.querySelectorAll("form").forEach(function (form) {
        // (style, not the hidden attribute: the form's own class sets its display)
        (form.closest("details") || form).style.display = mine.length > 0 ? "none" : "";
      });
    }
    if (!mine.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = el("div", { id: "queued-status", className: "card outbox", "aria-live": "polite" });
      var anchor = actions || document.querySelector("main .title-row");
      anchor.after(box);
    }
    box.textContent = "";
    box.appendChild(el("ul", { className: "outbox-items" }, mine.map(function (item) {
      var li = renderItem(item);
      li.querySelector("strong").textContent = t("status_queued_here", { status: item.statusLabel });
      return li;
    })));
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var match = STATUS_ACTION.exec(form.getAttribute("action") || "");
    if (!match || !(isOffline() || offlineCopy)) return;
    event.preventDefault();
    var submitter = event.submitter;
    var fields = {};
    new FormData(form).forEach(function (value, name) { fields[name] = value; });
    var status = submitter && submitter.name === "to_status" ? submitter.value : fields.to_status;
    var orderNo = document.getElementById("order-no");
    RTStore.queueStatus(uid, {
      orderId: match[1],
      status: status,
      expectedStatus: fields.expected_status,
      reason: fields.reason || "",
      platformOrderNos: fields.platform_order_nos || "",
      pickupCode: fields.pickup_code || "",
      carrier: fields.carrier || "",
      trackingNo: fields.tracking_no || "",
      orderNo: orderNo ? orderNo.textContent.trim() : "",
      statusLabel: submitter ? submitter.textContent.trim() : status,
    }).then(function () {
      releaseForm(form);
      return refresh();
    }).then(broadcast).catch(function () { HTMLFormElement.prototype.submit.call(form); });
  });

  // ── The new-order form ───────────────────────────────────────────────────
  var orderForm = document.getElementById("order-form");
  var editing = null;

  function releaseForm(form) {
    form.dataset.sending = "";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
  }

  if (orderForm) {
    orderForm.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "add_line") return;
      if (!editing && !isOffline() && !offlineCopy) return; // online: the form posts as usual
      event.preventDefault();
      var entries = [];
      new FormData(orderForm).forEach(function (value, name) { entries.push([name, value]); });
      var body = RTStore.orderBodyFromForm(entries);
      var saved = editing ? RTStore.updateOrder(uid, editing.id, body) : RTStore.queueOrder(uid, body);
      saved.then(function (item) {
        // Sent meanwhile from another tab: the list shows what became of it.
        item = item || editing;
        broadcast();
        // Back to this page (back button, restored tab) must not reuse the id.
        var idInput = orderForm.querySelector("input[name=client_request_id]");
        if (idInput) idInput.value = RTStore.newId();
        location.assign(ordersUrl + "?queued=" + encodeURIComponent(item.id) + "#outbox");
      }).catch(function () {
        releaseForm(orderForm);
        if (!editing) HTMLFormElement.prototype.submit.call(orderForm);
      });
    });
  }

  function setField(id, value) {
    var input = document.getElementById(id);
    if (input) input.value = value == null ? "" : String(value);
  }

  // Edit an order waiting to send: the form filled with it, the same client_request_id.
  function fillOrderForm(item) {
    var body = item.body;
    var radio = orderForm.querySelector('input[name=channel][value="' + body.channel + '"]');
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
    setField("id_villager_phone", body.villager.phone);
    setField("id_villager_name", body.villager.name);
    setField("id_buyer_organisation", body.buyer_organisation);
    setField("id_reference", body.reference);
    setField("id_platform_order_nos", (body.platform_order_nos || []).join(" "));
    var promotion = document.getElementById("id_promotion");
    if (promotion) {
      var wanted = body.promotion == null ? "" : String(body.promotion);
      promotion.value = Array.prototype.some.call(promotion.options, function (o) { return o.value === wanted; }) ? wanted : "";
    }
    var addLine = document.getElementById("add-line");
    function rows() { return orderForm.querySelectorAll("[data-line-row]"); }
    var guard = 0;
    while (rows().length < body.lines.length && addLine && guard++ < 100) addLine.click();
    rows().forEach(function (row, index) {
      var line = body.lines[index] || { product_name: "", category: "", quantity: "1", unit_price: "" };
      ["product_name", "category", "quantity", "unit_price"].forEach(function (name) {
        var input = row.querySelector("[name$='-" + name + "']");
        if (input) input.value = line[name] == null ? "" : String(line[name]);
      });
    });
    var first = orderForm.querySelector("[data-line-row] input");
    if (first) first.dispatchEvent(new Event("input", { bubbles: true }));
    var idInput = orderForm.querySelector("input[name=client_request_id]");
    if (idInput) idInput.value = body.client_request_id;
    var note = el("div", { className: "msg msg-info", id: "outbox-editing", role: "status" }, [el("span", { text: t("editing") })]);
    if (item.state === "refused") {
      note.appendChild(el("ul", { className: "errorlist", id: "outbox-edit-errors" }, errorLines(item.errors).map(function (line) {
        return el("li", { text: line });
      })));
    }
    orderForm.before(note);
  }

  // A new-order form whose id is already in the outbox (the back button to a form saved
  // offline) gets a fresh one: typed again, it is another order, not a conflict with that one.
  function protectFormId() {
    if (!orderForm || params.get("outbox")) return;
    var idInput = orderForm.querySelector("input[name=client_request_id]");
    if (!idInput) return;
    var taken = state.items.some(function (item) {
      return item.kind === "order" && item.body.client_request_id === idInput.value;
    });
    if (!taken) return;
    idInput.value = RTStore.newId();
    // (the address as it is now: partner.js writes the form's id into it)
    var query = new URLSearchParams(location.search);
    if (query.has("form")) {
      query.set("form", idInput.value);
      history.replaceState(history.state, "", location.pathname + "?" + query.toString());
    }
  }

  function startEditing() {
    var id = params.get("outbox");
    if (!orderForm || !id) return Promise.resolve();
    return RTStore.get(uid, "outbox", id).then(function (item) {
      if (!item || item.kind !== "order" || item.state === "sent" || item.state === "sending") return;
      editing = item;
      fillOrderForm(item);
    });
  }

  // ── Sending ──────────────────────────────────────────────────────────────
  function post(url, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, SEND_TIMEOUT_MS);
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
      signal: controller.signal,
    }).finally(function () { clearTimeout(timer); });
  }

  // One item; resolves "next" (go on with the next) or "stop" (try the rest later).
  async function sendItem(item) {
    // As stored now: deleted or edited meanwhile (another tab), it is not this one any more.
    item = await RTStore.get(uid, "outbox", item.id);
    if (!item || (item.state !== "waiting" && item.state !== "sending")) return "next";
    await RTStore.patch(uid, item.id, { state: "sending", attempts: (item.attempts || 0) + 1, lastAttempt: Date.now() });
    var response;
    try {
      response = await post(item.url, item.body);
    } catch (error) {
      // No answer: maybe the server did it, maybe not. The same id next time decides.
      state.network = "down";
      await RTStore.patch(uid, item.id, { state: "waiting", note: "network", detail: "" });
      return "stop";
    }
    state.network = "up";
    var data = {};
    try {
      data = await response.json();
    } catch (e) { /* not JSON: an HTML error page */ }
    var status = response.status;
    if (status === 200 || status === 201) {
      if (item.kind === "status" && orderPage && String(item.order.id) === orderPage[1]) state.reloadOrderPage = true;
      state.sentSome = true;
      await RTStore.patch(uid, item.id, {
        state: "sent",
        sentAt: Date.now(),
        note: "",
        detail: "",
        errors: null,
        result: { id: data.id, order_no: data.order_no, status: data.status },
      });
      return "next";
    }
    if (status === 400) {
      await RTStore.patch(uid, item.id, { state: "refused", errors: data, note: "" });
      return "next";
    }
    if (status === 409 || status === 404) {
      await RTStore.patch(uid, item.id, {
        state: "conflict", detail: asList(data.detail).join(" "), conflictOrder: data.order || null, note: "",
      });
      return "next";
    }
    if (status === 401 || status === 403) {
      // Logged out meanwhile, or not allowed now (a suspended partner): keep it, say why
      // in the server's words, try again later.
      var detail = asList(data.detail).join(" ");
      await RTStore.patch(uid, item.id, { state: "waiting", note: detail ? "refused" : "auth", detail: detail });
      return "stop";
    }
    await RTStore.patch(uid, item.id, { state: "waiting", note: "server", detail: "" });
    return "stop";
  }

  // Who the server says is logged in now (an id as text, "" for nobody), null without an answer.
  var CURRENT_USER_URL = "/pwa/user/"; // rural_taobao.pwa.current_user
  async function serverUser() {
    try {
      var response = await fetch(CURRENT_USER_URL, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return null;
      var data = await response.json();
      return data.user === null || data.user === undefined ? "" : String(data.user);
    } catch (e) {
      return null;
    }
  }

  async function sendQueue() {
    var items = await RTStore.outbox(uid);
    if (!items.some(function (item) { return item.state === "waiting" || item.state === "sending"; })) return true;
    // This outbox is its writer's: never sent under another user's session (a page of
    // theirs still open after someone else logged in, in another tab).
    var who = await serverUser();
    if (who === null) {
      state.network = "down";
      return false;
    }
    if (who !== uid) return false;
    // Oldest first; each answer before the next, so changes apply in the order made.
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item.state !== "waiting" && item.state !== "sending") continue;
      if (editing && editing.id === item.id) continue; // being changed on this page: after saving
      var outcome = await sendItem(item);
      await refresh();
      if (outcome === "stop") return false;
    }
    return true;
  }

  function scheduleRetry() {
    clearTimeout(state.retryTimer);
    var delay = Math.min(60000, 3000 * Math.pow(2, Math.max(0, state.failures - 1)));
    state.retryTimer = setTimeout(sendAll, delay);
  }

  function sendAll() {
    if (state.sending || state.wiped || !navigator.onLine) return Promise.resolve();
    clearTimeout(state.retryTimer);
    var pending = state.items.some(function (item) { return item.state === "waiting" || item.state === "sending"; });
    if (!pending) return Promise.resolve();
    state.sending = true;
    renderBanner();
    var run = function () {
      return sendQueue().then(function (complete) {
        state.failures = complete ? 0 : state.failures + 1;
        if (!complete) scheduleRetry();
      });
    };
    // One tab sends at a time (the others see the result through the broadcast).
    var locked = navigator.locks
      ? navigator.locks.request("rt-outbox-" + uid, { ifAvailable: true }, function (lock) { return lock ? run() : null; })
      : run();
    return Promise.resolve(locked).catch(function () {
      state.failures += 1;
      scheduleRetry();
    }).then(function () {
      state.sending = false;
      return refresh();
    }).then(function () {
      broadcast();
      // This order's page shows its old status and actions: show the new ones.
      if (state.reloadOrderPage) location.reload();
      if (state.sentSome) {
        state.sentSome = false;
        return refreshOrderList();
      }
    });
  }

  sendNow.addEventListener("click", function () {
    state.failures = 0;
    sendAll();
  });
  window.addEventListener("online", function () {
    state.network = "unknown";
    state.failures = 0;
    renderBanner();
    sendAll();
  });
  window.addEventListener("offline", renderBanner);

  // Other tabs and the worker change the outbox too.
  var channel = window.BroadcastChannel ? new BroadcastChannel("rt-outbox") : null;
  function broadcast() {
    if (channel) channel.postMessage({ type: "changed" });
  }
  if (channel) channel.onmessage = function () { refresh(); };

  // ── Logging out: nothing of this partner stays on the phone ──────────────
  var logoutButton = document.getElementById("logout");
  var logoutForm = logoutButton && logoutButton.form;
  if (logoutForm) {
    logoutForm.addEventListener("submit", function (event) {
      if (logoutForm.dataset.offlineCleared === "1") return;
      event.preventDefault();
      var sent = navigator.onLine ? sendAll() : Promise.resolve();
      sent.then(function () {
        return RTStore.outbox(uid).catch(function () { return []; });
      }).then(function (items) {
        var left = RTStore.unsent(items).length;
        if (left && !window.confirm(t("confirm_logout", { n: left }))) return;
        state.wiped = true;
        clearTimeout(state.retryTimer);
        var told = ask(worker(), { type: "logout", user: uid }, 3000);
        return told.then(function () { return RTStore.wipeAll(uid); }).catch(function () {}).then(function () {
          try { localStorage.removeItem(LAST_USER_KEY); } catch (e) { /* nothing kept */ }
          logoutForm.dataset.offlineCleared = "1";
          HTMLFormElement.prototype.submit.call(logoutForm);
        });
      });
    });
  }

  // ── Start ────────────────────────────────────────────────────────────────
  renderBanner();
  function start() {
    forgotten.then(refresh).then(protectFormId).then(startEditing).then(function () {
      if (navigator.onLine) sendAll();
    });
  }
  // After partner.js has set up the form (it runs after this script).
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
