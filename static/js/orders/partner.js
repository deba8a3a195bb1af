/* The partner's order pages, better with JavaScript: every form here also works without it.
 * - forms marked data-guard are sent once (a double tap does not post twice);
 * - the new-order form adds and removes lines in place, shows line totals and the order
 *   total live, shows the procurement fields only for procurement, offers only the
 *   categories of the chosen channel, and finds known villagers by phone as you type. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ── Send a form once ─────────────────────────────────────────────────────
  function guard(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      // The button says it is sending ("Submitting…"): a slow network is not a dead tap.
      // Not when the outbox took the form (offline: it is kept on the phone, not sent).
      var submitter = event.submitter;
      if (!event.defaultPrevented && submitter && form.dataset.sendingLabel && submitter.name !== "add_line") {
        submitter.dataset.idleLabel = submitter.textContent;
        submitter.textContent = form.dataset.sendingLabel;
        submitter.setAttribute("aria-busy", "true");
      }
      // Disable after the browser has taken the submitter's name/value into the post.
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
      // On a dropped network the partner may try again: the server answers a retry
      // of the same form with the same order.
      setTimeout(function () { release(form); }, 15000);
    });
  }
  function release(form) {
    form.dataset.sending = "";
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.disabled = false;
      if (b.dataset.idleLabel) {
        b.textContent = b.dataset.idleLabel;
        delete b.dataset.idleLabel;
        b.removeAttribute("aria-busy");
      }
    });
  }
  document.querySelectorAll("form[data-guard]").forEach(guard);
  // Back/forward cache: a page shown again must be usable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-guard]").forEach(release);
  });

  var form = document.getElementById("order-form");
  if (!form) return;

  // ── The form's id in the address ─────────────────────────────────────────
  // The server renders a fresh client_request_id without a redirect; kept in the URL, a
  // reload or the back button brings back the same id, so a form sent twice is one order.
  var formId = form.querySelector("input[name=client_request_id]");
  if (formId && window.history && history.replaceState) {
    var query = new URLSearchParams(location.search);
    if (query.get("form") !== formId.value && !query.has("outbox")) {
      query.set("form", formId.value);
      history.replaceState(history.state, "", location.pathname + "?" + query.toString() + location.hash);
    }
  }

  // ── A refused form: the partner lands on the first field to correct ─────
  function focusFirstError() {
    if (!document.getElementById("form-errors")) return;
    var invalid = form.querySelector("[aria-invalid=true], .errorlist ~ input, .errorlist ~ select");
    if (!invalid) {
      var list = form.querySelector(".errorlist");
      var box = list && list.closest(".line-row, fieldset, .card");
      invalid = box && box.querySelector("input:not([type=hidden]), select, textarea");
    }
    var target = invalid || document.getElementById("form-errors");
    if (!invalid) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  }

  // ── Money in fen (integers), never floats ────────────────────────────────
  function toFen(text) {
    var m = /^\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(text || "");
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  // Like the server's floatformat: thousands grouped in English, not in Chinese.
  var grouping = document.documentElement.lang.indexOf("zh") === 0 ? "" : ",";
  function formatFen(fen) {
    var yuan = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, grouping);
    var cents = String(fen % 100).padStart(2, "0");
    return "¥" + yuan + "." + cents;
  }

  // ── Lines ────────────────────────────────────────────────────────────────
  var rows = document.getElementById("line-rows");
  var totalForms = form.querySelector("input[name=lines-TOTAL_FORMS]");
  var maxForms = parseInt(form.querySelector("input[name=lines-MAX_NUM_FORMS]").value, 10);
  var template = document.getElementById("line-row-template");
  var addButton = document.getElementById("add-line");
  var liveTotal = document.getElementById("live-total");

  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function recompute() {
    var sum = 0;
    var complete = true;
    rows.querySelectorAll("[data-line-row]").forEach(function (row) {
      var qtyText = field(row, "quantity").value.trim();
      var fen = toFen(field(row, "unit_price").value);
      var qty = /^\d+$/.test(qtyText) ? parseInt(qtyText, 10) : null;
      var out = row.querySelector("[data-line-total]");
      if (fen && qty) {
        out.textContent = qty + " × " + formatFen(fen) + " = " + formatFen(fen * qty);
        sum += fen * qty;
      } else {
        out.textContent = "";
        if (field(row, "unit_price").value.trim()) complete = false;
      }
    });
    liveTotal.textContent = sum ? formatFen(sum) + (complete ? "" : " …") : "—";
  }

  function showRemoveButtons() {
    var all = rows.querySelectorAll("[data-line-row]");
    all.forEach(function (row) {
      row.querySelector("[data-remove-line]").hidden = all.length < 2;
    });
  }

  function addRow() {
    var index = parseInt(totalForms.value, 10);
    if (index >= maxForms) return;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    totalForms.value = String(index + 1);
    var row = rows.lastElementChild;
    filterCategories(row);
    showRemoveButtons();
    field(row, "product_name").focus();
  }

  addButton.addEventListener("click", function (event) {
    event.preventDefault();
    addRow();
  });

  rows.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-line]");
    if (!button) return;
    // A removed row's fields leave the post, so the server sees an empty row and skips it.
    button.closest("[data-line-row]").remove();
    showRemoveButtons();
    recompute();
  });
  rows.addEventListener("input", recompute);

  // ── Channel: procurement fields, farm categories, buyer or seller ───────
  var procurement = document.getElementById("procurement-fields");
  function channel() {
    var checked = form.querySelector("input[name=channel]:checked");
    return checked ? checked.value : "assisted_purchase";
  }
  var farmSlugs = (form.dataset.farmCategories || "").split(" ");
  function filterCategories(row) {
    var farm = channel() === "farm_produce";
    var select = field(row, "category");
    select.querySelectorAll("option").forEach(function (option) {
      if (!option.value) return;
      var allowed = (farmSlugs.indexOf(option.value) >= 0) === farm;
      option.hidden = !allowed;
      option.disabled = !allowed;
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([disabled])");
    });
    if (select.selectedOptions[0] && select.selectedOptions[0].disabled) select.value = "";
  }
  function applyChannel() {
    var value = channel();
    procurement.hidden = value !== "government_procurement";
    form.querySelectorAll("[data-no-js-hint]").forEach(function (el) { el.hidden = true; });
    form.querySelectorAll("[data-channel-hint]").forEach(function (el) {
      el.hidden = el.dataset.channelHint !== value;
    });
    form.querySelectorAll("[data-villager-role]").forEach(function (el) {
      el.hidden = (el.dataset.villagerRole === "seller") !== (value === "farm_produce");
    });
    rows.querySelectorAll("[data-line-row]").forEach(filterCategories);
  }
  form.querySelectorAll("input[name=channel]").forEach(function (radio) {
    radio.addEventListener("change", applyChannel);
  });

  // ── Villager type-ahead (the partner's own villagers) ───────────────────
  var phone = document.getElementById("id_villager_phone");
  var name = document.getElementById("id_villager_name");
  var list = document.getElementById("villager-suggestions");
  var timer = null;
  var pending = null;

  function suggest() {
    var q = phone.value.replace(/\D/g, "");
    if (q.length < 3) {
      list.hidden = true;
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.lookupUrl + "?q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending.signal,
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        list.textContent = "";
        data.results.forEach(function (villager) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "suggestion";
          button.textContent = villager.name + " · " + villager.phone;
          button.addEventListener("click", function () {
            phone.value = villager.phone;
            name.value = villager.name;
            list.hidden = true;
          });
          item.appendChild(button);
          list.appendChild(item);
        });
        var exact = data.results.some(function (v) { return v.phone === q; });
        list.hidden = data.results.length === 0 || (exact && data.results.length === 1 && name.value !== "");
        if (exact && !name.value) {
          name.value = data.results.filter(function (v) { return v.phone === q; })[0].name;
        }
      })
      .catch(function () { /* offline or superseded: typing still works */ });
  }
  phone.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });

  // Enter in a field moves on instead of posting a half-typed order.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    var inputs = Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "INPUT" || el.tagName === "SELECT") && el.type !== "hidden" && !el.disabled && el.offsetParent;
    });
    var next = inputs[inputs.indexOf(event.target) + 1];
    if (next) next.focus();
  });

  applyChannel();
  showRemoveButtons();
  recompute();
  focusFirstError();
})();
