/* What the partner's phone keeps for working offline, shared by the pages and the
 * service worker (importScripts): one IndexedDB database per user, named after the user
 * id, so one partner's data is never read on another's login.
 *
 *   outbox     orders and status changes waiting to be sent, oldest first
 *   villagers  the partner's villagers (name, phone) for the offline type-ahead
 *   meta       categories, running promotions, when the copy was refreshed
 *
 * Page caches of the service worker are named the same way: rt-pages-u<user id>. */
(function (global) {
  "use strict";

  var DB_PREFIX = "rt-offline-u";
  var PAGES_PREFIX = "rt-pages-u";
  var DB_VERSION = 1;
  var connections = {};

  function dbName(uid) { return DB_PREFIX + uid; }
  function pagesCacheName(uid) { return PAGES_PREFIX + uid; }

  function promisify(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function open(uid) {
    if (!uid) return Promise.reject(new Error("no user"));
    if (connections[uid]) return connections[uid];
    var request = indexedDB.open(dbName(uid), DB_VERSION);
    request.onupgradeneeded = function () {
      var db = request.result;
      if (!db.objectStoreNames.contains("outbox")) {
        db.createObjectStore("outbox", { keyPath: "id" }).createIndex("created", "created");
      }
      if (!db.objectStoreNames.contains("villagers")) db.createObjectStore("villagers", { keyPath: "phone" });
      if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
    };
    connections[uid] = promisify(request).then(function (db) {
      // Logging out deletes the database: let go of it at once so the deletion is not blocked.
      db.onversionchange = function () { db.close(); delete connections[uid]; };
      db.onclose = function () { delete connections[uid]; };
      return db;
    }, function (error) {
      delete connections[uid];
      throw error;
    });
    return connections[uid];
  }

  function closeAll() {
    Object.keys(connections).forEach(function (uid) {
      connections[uid].then(function (db) { db.close(); }, function () {});
      delete connections[uid];
    });
  }

  // Run fn(stores…) in one transaction; resolve with fn's result when it has committed.
  function transaction(uid, names, mode, fn) {
    return open(uid).then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
        var stores = names.map(function (name) { return tx.objectStore(name); });
        Promise.resolve(fn.apply(null, stores)).then(function (value) { result = value; }, function (error) {
          try { tx.abort(); } catch (e) { /* already finished */ }
          reject(error);
        });
      });
    });
  }

  function getAll(uid, name) {
    return transaction(uid, [name], "readonly", function (store) { return promisify(store.getAll()); });
  }
  function get(uid, name, key) {
    return transaction(uid, [name], "readonly", function (store) { return promisify(store.get(key)); });
  }
  function put(uid, name, value, key) {
    return transaction(uid, [name], "readwrite", function (store) {
      return promisify(key === undefined ? store.put(value) : store.put(value, key));
    });
  }
  function remove(uid, name, key) {
    return transaction(uid, [name], "readwrite", function (store) { return promisify(store.delete(key)); });
  }

  function newId() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    global.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // ── The new-order form as the API's JSON body (POST /api/v1/orders/) ──────
  // The same reading as the server's form: a row with nothing but the default quantity is
  // not a line; values go as typed and the server checks them (400 with field errors).
  var LINE_FIELD = /^lines-(\d+)-(product_name|category|quantity|unit_price)$/;

  function orderBodyFromForm(entries) {
    var values = {};
    var rows = {};
    entries.forEach(function (pair) {
      var name = pair[0];
      var value = typeof pair[1] === "string" ? pair[1] : "";
      var line = LINE_FIELD.exec(name);
      if (line) {
        rows[line[1]] = rows[line[1]] || {};
        rows[line[1]][line[2]] = value.trim();
      } else {
        values[name] = value;
      }
    });
    var lines = Object.keys(rows)
      .sort(function (a, b) { return Number(a) - Number(b); })
      .map(function (index) { return rows[index]; })
      .filter(function (row) { return row.product_name || row.category || row.unit_price; })
      .map(function (row) {
        var quantity = (row.quantity || "").trim();
        return {
          product_name: row.product_name || "",
          category: row.category || "",
          quantity: /^\d{1,9}$/.test(quantity) ? parseInt(quantity, 10) : quantity,
          unit_price: row.unit_price || "",
        };
      });
    var promotion = (values.promotion || "").trim();
    var body = {
      client_request_id: (values.client_request_id || "").trim(),
      channel: values.channel || "assisted_purchase",
      villager: {
        name: (values.villager_name || "").trim(),
        phone: (values.villager_phone || "").replace(/[\s-]/g, ""),
      },
      promotion: /^\d+$/.test(promotion) ? parseInt(promotion, 10) : null,
      buyer_organisation: (values.buyer_organisation || "").trim(),
      reference: (values.reference || "").trim(),
      lines: lines,
    };
    // Only when typed: a body without numbers stays what it was (the same retry, the same order).
    var numbers = platformNumbers(values.platform_order_nos);
    if (numbers.length) body.platform_order_nos = numbers;
    return body;
  }

  // Taobao order numbers as typed (commas, spaces, newlines between them); the server
  // checks each one (400 with field errors).
  function platformNumbers(text) {
    return String(text || "").split(/[\s,，、;；]+/).filter(function (n, i, all) { return n && all.indexOf(n) === i; });
  }

  function sameBody(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // ── The outbox ───────────────────────────────────────────────────────────
  // Items: {id, kind: "order"|"status", created, url, body, state, attempts, ...}.
  // state: waiting → sending → sent | refused (400: fix and send again) | conflict (409).

  function ordered(items) {
    return items.sort(function (a, b) { return a.created - b.created || (a.id < b.id ? -1 : 1); });
  }

  function outbox(uid) {
    return getAll(uid, "outbox").then(ordered);
  }

  // Append in order: `created` is strictly increasing, so "oldest first" is the order typed.
  function append(uid, item) {
    return transaction(uid, ["outbox"], "readwrite", function (store) {
      return promisify(store.getAll()).then(function (items) {
        var last = items.reduce(function (max, other) { return Math.max(max, other.created); }, 0);
        item.created = Math.max(Date.now(), last + 1);
        return promisify(store.put(item)).then(function () { return item; });
      });
    });
  }

  // An order typed offline. The form's client_request_id goes with it: the server creates
  // the order once however many times it is sent. The same form queued twice (a double
  // tap, the back button) is one item; the same id with other content gets a fresh id,
  // as the server's own form does.
  function queueOrder(uid, body, summary) {
    return transaction(uid, ["outbox", "villagers"], "readwrite", function (store, villagers) {
      return promisify(store.getAll()).then(function (items) {
        var twin = items.filter(function (other) {
          return other.kind === "order" && other.body.client_request_id === body.client_request_id;
        })[0];
        if (twin && sameBody(twin.body, body)) return twin;
        if (twin || !body.client_request_id) body.client_request_id = newId();
        var last = items.reduce(function (max, other) { return Math.max(max, other.created); }, 0);
        var item = {
          id: newId(),
          kind: "order",
          url: (global.RT_API_ORDERS || "/api/v1/orders/"),
          body: body,
          summary: summary || null,
          state: "waiting",
          attempts: 0,
          created: Math.max(Date.now(), last + 1),
        };
        // The villager is known from now on, also to the offline type-ahead.
        if (body.villager.phone && body.villager.name) {
          villagers.put({ phone: body.villager.phone, name: body.villager.name });
        }
        return promisify(store.put(item)).then(function () { return item; });
      });
    });
  }

  function updateOrder(uid, id, body, summary) {
    return transaction(uid, ["outbox"], "readwrite", function (store) {
      return promisify(store.get(id)).then(function (item) {
        if (!item || item.state === "sent" || item.state === "sending") return null;
        body.client_request_id = item.body.client_request_id; // the same order, exactly once
        item.body = body;
        item.summary = summary || item.summary;
        item.state = "waiting";
        item.errors = null;
        item.detail = "";
        item.note = "";
        return promisify(store.put(item)).then(function () { return item; });
      });
    });
  }

  function statusBody(change) {
    var body = { status: change.status, expected_status: change.expectedStatus, reason: change.reason || "" };
    var numbers = platformNumbers(change.platformOrderNos);
    if (numbers.length) body.platform_order_nos = numbers; // with "paid": recorded with the payment
    if (change.pickupCode) body.pickup_code = change.pickupCode; // with "picked_up": the villager's code
    if (change.carrier) body.carrier = change.carrier; // with "shipped": the parcel
    if (change.trackingNo) body.tracking_no = change.trackingNo;
    return body;
  }

  // A status change made offline; expected_status is the status the partner saw, so the
  // server refuses (409) a change to an order someone else has moved meanwhile.
  function queueStatus(uid, change) {
    return append(uid, {
      id: newId(),
      kind: "status",
      url: "/api/v1/orders/" + change.orderId + "/status/",
      body: statusBody(change),
      order: { id: change.orderId, order_no: change.orderNo || "" },
      statusLabel: change.statusLabel || change.status,
      state: "waiting",
      attempts: 0,
    });
  }

  function patch(uid, id, changes) {
    return transaction(uid, ["outbox"], "readwrite", function (store) {
      return promisify(store.get(id)).then(function (item) {
        if (!item) return null;
        Object.keys(changes).forEach(function (key) { item[key] = changes[key]; });
        return promisify(store.put(item)).then(function () { return item; });
      });
    });
  }

  function unsent(items) {
    return items.filter(function (item) { return item.state !== "sent"; });
  }

  // ── Villagers for the type-ahead (the same answers as the server's lookup) ─
  function replaceVillagers(uid, villagers) {
    return transaction(uid, ["villagers", "outbox"], "readwrite", function (store, outboxStore) {
      return promisify(outboxStore.getAll()).then(function (items) {
        store.clear();
        villagers.forEach(function (v) { store.put({ phone: v.phone, name: v.name }); });
        // Villagers of orders still waiting are not on the server yet: keep them.
        items.forEach(function (item) {
          if (item.kind === "order" && item.state !== "sent" && item.body.villager.phone && item.body.villager.name) {
            store.put({ phone: item.body.villager.phone, name: item.body.villager.name });
          }
        });
      });
    });
  }

  function searchVillagers(uid, query, limit) {
    var q = (query || "").replace(/\s/g, "");
    if (!q) return Promise.resolve([]);
    var digits = /^\d+$/.test(q);
    if (digits && q.length < 3) return Promise.resolve([]);
    return getAll(uid, "villagers").then(function (all) {
      var found = all.filter(function (v) {
        return digits ? v.phone.indexOf(q) === 0 : v.name.toLowerCase().indexOf(q.toLowerCase()) >= 0;
      });
      found.sort(function (a, b) {
        var x = digits ? a.phone : a.name;
        var y = digits ? b.phone : b.name;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      return found.slice(0, limit || 8);
    });
  }

  // ── Wiping ───────────────────────────────────────────────────────────────
  function deleteDatabase(name) {
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = function () { resolve(); };
      // Blocked: another tab or the worker still holds it; it goes when they close it.
      request.onblocked = function () {};
    });
  }

  function databaseNames() {
    if (!indexedDB.databases) return Promise.resolve(null);
    return indexedDB.databases().then(function (list) {
      return list.map(function (info) { return info.name; }).filter(function (name) {
        return name && name.indexOf(DB_PREFIX) === 0;
      });
    });
  }

  // Everything of every user: logging out.
  function wipeAll(knownUid) {
    closeAll();
    var caches = global.caches;
    return Promise.all([
      databaseNames().then(function (names) {
        names = names || [];
        if (knownUid && names.indexOf(dbName(knownUid)) < 0) names.push(dbName(knownUid));
        return Promise.all(names.map(deleteDatabase));
      }),
      caches
        ? caches.keys().then(function (keys) {
            return Promise.all(keys.filter(function (key) { return key.indexOf(PAGES_PREFIX) === 0; }).map(function (key) {
              return caches.delete(key);
            }));
          })
        : null,
    ]);
  }

  // Another user's cached pages and reference data (not their unsent outbox: that is
  // work they have not logged out of, kept under their own name and never shown here).
  function forgetOtherUsers(uid) {
    var caches = global.caches;
    var keep = dbName(uid);
    return Promise.all([
      databaseNames().then(function (names) {
        return Promise.all((names || []).filter(function (name) { return name !== keep; }).map(function (name) {
          var other = name.slice(DB_PREFIX.length);
          return outbox(other).then(function (items) {
            if (unsent(items).length === 0) {
              closeOne(other);
              return deleteDatabase(name);
            }
            return transaction(other, ["villagers", "meta", "outbox"], "readwrite", function (v, m, o) {
              v.clear();
              m.clear();
              items.forEach(function (item) { if (item.state === "sent") o.delete(item.id); });
            }).then(function () { closeOne(other); });
          }, function () { return deleteDatabase(name); });
        }));
      }),
      caches
        ? caches.keys().then(function (keys) {
            return Promise.all(keys.filter(function (key) {
              return key.indexOf(PAGES_PREFIX) === 0 && key !== pagesCacheName(uid);
            }).map(function (key) { return caches.delete(key); }));
          })
        : null,
    ]);
  }

  function closeOne(uid) {
    if (!connections[uid]) return;
    connections[uid].then(function (db) { db.close(); }, function () {});
    delete connections[uid];
  }

  global.RTStore = {
    PAGES_PREFIX: PAGES_PREFIX,
    dbName: dbName,
    pagesCacheName: pagesCacheName,
    open: open,
    closeAll: closeAll,
    get: get,
    getAll: getAll,
    put: put,
    remove: remove,
    patch: patch,
    newId: newId,
    orderBodyFromForm: orderBodyFromForm,
    platformNumbers: platformNumbers,
    outbox: outbox,
    unsent: unsent,
    queueOrder: queueOrder,
    updateOrder: updateOrder,
    queueStatus: queueStatus,
    replaceVillagers: replaceVillagers,
    searchVillagers: searchVillagers,
    wipeAll: wipeAll,
    forgetOtherUsers: forgetOtherUsers,
  };
})(self);
