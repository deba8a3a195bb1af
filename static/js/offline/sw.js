/* The partner app's service worker, served at /sw.js (rural_taobao/pwa.py prepends
 * self.RT_CONFIG: the version, the static files to precache, the page URLs).
 *
 * - Static files: cache first (their URLs change with their content in production; the
 *   version changes with any of them, and a new worker drops the old cache).
 * - The partner pages (home, new order, order list, villagers, an order's page): network
 *   first; each answer is kept in the cache of the user the page was rendered for (the page
 *   says who: <meta name="rt-user">), and offline the page comes from that copy.
 * - Who is logged in is the server's word, never the worker's guess: every HTML answer
 *   carries X-RT-User (an id, empty for nobody; rural_taobao.middleware), every navigation
 *   in scope passes through here so the worker reads it (a redirect away, to the login
 *   page, hides it: then /pwa/user/ is asked), and the last answer is kept (rt-identity
 *   cache, across restarts). A saved page, the cached villagers and the outbox serve only
 *   that user; an answer naming someone else wipes the previous user's copies and data.
 * - A new-order or status form posted without a connection is kept in the outbox
 *   (IndexedDB, see store.js) and the partner is sent to the order list; the page script
 *   sends it when the connection returns, through the API, exactly once.
 * - The villager type-ahead answers from the cached villagers when offline. */
/* global RT_CONFIG, RTStore */
"use strict";

importScripts(RT_CONFIG.store);

var STATIC_CACHE = "rt-static-" + RT_CONFIG.version;
var PAGE_TIMEOUT_MS = 5000; // then the saved copy, if there is one (the network answer is still kept)
var POST_TIMEOUT_MS = 20000; // then the outbox; a late server answer is harmless (same client_request_id)
var LOOKUP_TIMEOUT_MS = 3000;
var WARM_EVERY_MS = 10 * 60 * 1000;
var MAX_VILLAGER_PAGES = 50; // 200 a page: 10,000 villagers

var currentUser = null; // the user whose copies may be served and written: the confirmed one
var confirmedUser; // what the server last said (X-RT-User): an id, "" for nobody, undefined not read yet
var IDENTITY_CACHE = "rt-identity";
var IDENTITY_KEY = "/__rt-confirmed-user__";
var loggedOut = false; // set by a logout until a page says who is logged in again
var warming = null;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(RT_CONFIG.precache.concat([RT_CONFIG.offlinePage]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("rt-static-") === 0 && key !== STATIC_CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// ── Who is logged in ─────────────────────────────────────────────────────────

function loadConfirmed() {
  if (confirmedUser !== undefined) return Promise.resolve(confirmedUser);
  // After a restart of the worker: what the server said last (nothing kept: nobody).
  return caches.open(IDENTITY_CACHE).then(function (cache) {
    return cache.match(IDENTITY_KEY);
  }).then(function (kept) {
    return kept ? kept.text() : "";
  }).then(function (uid) {
    if (confirmedUser === undefined) confirmedUser = uid;
    if (confirmedUser && !currentUser && !loggedOut) currentUser = confirmedUser;
    return confirmedUser;
  });
}

// The server named who is logged in (X-RT-User): that user's copies only, from now on.
function confirmUser(uid) {
  uid = uid ? String(uid) : "";
  var changed = uid !== confirmedUser;
  confirmedUser = uid;
  var kept = !changed ? Promise.resolve() : caches.open(IDENTITY_CACHE).then(function (cache) {
    return cache.put(IDENTITY_KEY, new Response(uid, { headers: { "Content-Type": "text/plain" } }));
  });
  if (!uid) {
    currentUser = null; // nobody: nothing is served; the data waits for its user's next login
    return kept;
  }
  return kept.then(function () { return setUser(uid); });
}

function observeIdentity(response) {
  // A partner page sending the browser elsewhere (to the login page: the session ended)
  // shows no headers to the worker: ask the server who is logged in now.
  if (response && response.type === "opaqueredirect") return askServer().then(function () { return response; });
  if (!response || !response.headers.has("X-RT-User")) return Promise.resolve(response);
  return confirmUser(response.headers.get("X-RT-User")).then(function () { return response; }, function () {
    return response;
  });
}

// Ask the server (a page the worker did not see load, e.g. before it controlled the page).
function askServer() {
  return fetch(RT_CONFIG.currentUser, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }).then(function (data) {
    return confirmUser(data.user === null || data.user === undefined ? "" : String(data.user));
  }).catch(function () { /* offline: the last answer stands */ });
}

// A page says who it is for: believed only when the server says so too.
function confirmPageUser(uid) {
  return loadConfirmed().then(function (confirmed) {
    return confirmed === String(uid) ? null : askServer();
  }).then(function () { return setUser(uid); });
}

function knownUser() {
  if (loggedOut) return Promise.resolve(null);
  return loadConfirmed().then(function (uid) { return uid && uid === currentUser ? uid : null; });
}

// Only the confirmed user (a page's message naming another is a copy, or stale).
function setUser(uid) {
  uid = String(uid);
  if (confirmedUser !== undefined && confirmedUser !== uid) return Promise.reject(new Error("not the logged-in user"));
  loggedOut = false;
  if (uid === currentUser) return Promise.resolve();
  currentUser = uid;
  return RTStore.forgetOtherUsers(uid);
}

function userOfPage(html) {
  var match = /<meta name="rt-user" content="(\d+)">/.exec(html);
  return match ? match[1] : null;
}

// ── Pages ────────────────────────────────────────────────────────────────────

var ORDER_PAGE = /^\/partner\/orders\/\d+\/$/;
var MAX_ORDER_PAGES = 50; // the orders looked at last

function isOfflinePage(url) {
  return RT_CONFIG.pages.indexOf(url.pathname) >= 0 || ORDER_PAGE.test(url.pathname);
}

// One copy per page: the query (a filter, the new-order form's id) is not part of the key.
function pageKey(url) {
  return url.origin + url.pathname;
}

// Which answers become the saved copy: the plain page, not a filtered list or search, not
// a new-order form prefilled for a villager or showing that it was already sent.
function worthSaving(url, html) {
  var params = Array.from(url.searchParams.keys());
  var allowed = url.pathname === RT_CONFIG.orderNew ? ["form"] : ORDER_PAGE.test(url.pathname) ? ["queued"] : [];
  if (params.some(function (name) { return allowed.indexOf(name) < 0; })) return false;
  return html.indexOf('id="already-placed"') < 0;
}

function storePage(url, response) {
  if (!response.ok || response.type !== "basic") return Promise.resolve();
  if ((response.headers.get("Content-Type") || "").indexOf("text/html") !== 0) return Promise.resolve();
  return observeIdentity(response).then(function () { return response.text(); }).then(function (html) {
    var uid = userOfPage(html);
    if (!uid || uid !== confirmedUser) return null;
    return setUser(uid).then(function () {
      if (loggedOut || uid !== currentUser || !worthSaving(url, html)) return null;
      var copy = new Response(html, {
        headers: { "Content-Type": response.headers.get("Content-Type"), "X-RT-Saved-At": new Date().toISOString() },
      });
      return caches.open(RTStore.pagesCacheName(uid)).then(function (cache) {
        return cache.put(pageKey(url), copy).then(function () {
          return ORDER_PAGE.test(url.pathname) ? trimOrderPages(cache) : null;
        });
      });
    });
  });
}

// Keys come back oldest first (a page saved again moves to the end).
function trimOrderPages(cache) {
  return cache.keys().then(function (requests) {
    var orders = requests.filter(function (request) { return ORDER_PAGE.test(new URL(request.url).pathname); });
    return Promise.all(orders.slice(0, Math.max(0, orders.length - MAX_ORDER_PAGES)).map(function (request) {
      return cache.delete(request);
    }));
  });
}

function savedPage(url) {
  return knownUser().then(function (uid) {
    if (!uid) return null;
    return caches.open(RTStore.pagesCacheName(uid)).then(function (cache) {
      return cache.match(pageKey(url));
    }).then(function (saved) {
      if (!saved) return null;
      var savedAt = saved.headers.get("X-RT-Saved-At") || "";
      return saved.text().then(function (html) {
        // Mark the copy, so the page says it is one; drop the messages of that visit.
        html = html.replace(/<body\b/, '<body data-offline-copy="' + savedAt + '"');
        html = html.replace(/<ul class="messages">[\s\S]*?<\/ul>/, "");
        if (url.pathname === RT_CONFIG.orderNew) {
          // Each new order its own id: a saved form must never reuse the id of another.
          html = html.replace(
            /(<input type="hidden" name="client_request_id" value=")[^"]*(")/,
            "$1" + RTStore.newId() + "$2"
          );
        }
        return new Response(html, { headers: { "Content-Type": saved.headers.get("Content-Type") } });
      });
    });
  });
}

function offlineFallback() {
  return caches.match(RT_CONFIG.offlinePage).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

// Network first; the saved copy when the network fails, or is slow and a copy exists.
function networkFirstPage(event, url) {
  var network = fetch(event.request).then(observeIdentity);
  event.waitUntil(network.then(function (response) { return storePage(url, response.clone()); }).catch(function () {}));
  return new Promise(function (resolve) {
    var done = false;
    function finish(response) {
      if (!done) {
        done = true;
        resolve(response);
      }
    }
    var timer = setTimeout(function () {
      savedPage(url).then(function (saved) { if (saved) finish(saved); });
    }, PAGE_TIMEOUT_MS);
    network.then(function (response) {
      clearTimeout(timer);
      if (response.status < 500) return finish(response);
      // The server is there but cannot answer (a database outage: 503): the copy is better.
      savedPage(url).then(function (saved) { finish(saved || response); });
    }, function () {
      clearTimeout(timer);
      savedPage(url).then(function (saved) { return saved || offlineFallback(); }).then(finish);
    });
  });
}

// ── Forms posted without a connection go to the outbox ──────────────────────

var STATUS_FORM = /^\/partner\/orders\/(\d+)\/status\/$/;

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); }, function (error) {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// No answer, a timeout, or a server that cannot answer now (502–504: nothing was saved,
// and if it was, the same client_request_id makes the resend harmless).
function postOrQueue(event, url) {
  var copy = event.request.clone();
  return withTimeout(fetch(event.request), POST_TIMEOUT_MS).then(function (response) {
    if (response.status >= 502 && response.status <= 504) return queue(copy, url, response);
    return response;
  }, function () {
    return queue(copy, url, null);
  });
}

function queue(request, url, serverAnswer) {
  return Promise.all([request.formData(), knownUser()]).then(function (results) {
    var form = results[0];
    var uid = results[1];
    var entries = [];
    form.forEach(function (value, name) { entries.push([name, value]); });
    // "Add a line" posted without the page script is not an order.
    if (!uid || form.has("add_line")) return serverAnswer || offlineFallback();
    var statusForm = STATUS_FORM.exec(url.pathname);
    if (statusForm) {
      var fields = {};
      entries.forEach(function (pair) { fields[pair[0]] = pair[1]; });
      return RTStore.queueStatus(uid, {
        orderId: statusForm[1],
        status: fields.to_status,
        expectedStatus: fields.expected_status,
        reason: fields.reason || "",
        platformOrderNos: fields.platform_order_nos || "",
        pickupCode: fields.pickup_code || "",
        carrier: fields.carrier || "",
        trackingNo: fields.tracking_no || "",
      }).then(function (item) {
        notifyPages();
        return Response.redirect(RT_CONFIG.orderList + statusForm[1] + "/?queued=" + item.id, 303);
      });
    }
    return RTStore.queueOrder(uid, RTStore.orderBodyFromForm(entries)).then(function (item) {
      notifyPages();
      return Response.redirect(RT_CONFIG.orderList + "?queued=" + item.id + "#outbox", 303);
    });
  });
}

function notifyPages() {
  if (!self.BroadcastChannel) return;
  var channel = new BroadcastChannel("rt-outbox");
  channel.postMessage({ type: "changed" });
  channel.close();
}

// ── Villager type-ahead ──────────────────────────────────────────────────────

function lookup(event, url) {
  return withTimeout(fetch(event.request), LOOKUP_TIMEOUT_MS).catch(function () {
    return knownUser().then(function (uid) {
      return uid ? RTStore.searchVillagers(uid, url.searchParams.get("q")) : [];
    }).then(function (found) {
      var results = found.map(function (v) { return { name: v.name, phone: v.phone }; });
      return new Response(JSON.stringify({ results: results }), {
        headers: { "Content-Type": "application/json", "X-RT-Offline": "1" },
      });
    });
  });
}

// Categories and promotions: the network, else the copy kept by warm().
function referenceData(event, url) {
  var key = url.pathname === RT_CONFIG.api.categories ? "categories" : "promotions";
  return fetch(event.request).catch(function () {
    return knownUser().then(function (uid) {
      return uid ? RTStore.get(uid, "meta", key) : null;
    }).then(function (results) {
      if (!results) return Response.error();
      var body = { count: results.length, next: null, previous: null, results: results };
      return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json", "X-RT-Offline": "1" } });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET") {
    if (url.pathname.indexOf("/static/") === 0) {
      event.respondWith(
        caches.open(STATIC_CACHE).then(function (cache) {
          return cache.match(request).then(function (hit) {
            return hit || fetch(request).then(function (response) {
              if (response.ok) cache.put(request, response.clone());
              return response;
            });
          });
        })
      );
    } else if (request.mode === "navigate" && isOfflinePage(url)) {
      event.respondWith(networkFirstPage(event, url));
    } else if (request.mode === "navigate") {
      // Any other page in the worker's scope: the network, read for whose it is.
      event.respondWith(fetch(request).then(observeIdentity));
    } else if (url.pathname === RT_CONFIG.villagerLookup) {
      event.respondWith(lookup(event, url));
    } else if (url.pathname === RT_CONFIG.api.categories || url.pathname === RT_CONFIG.api.promotions) {
      event.respondWith(referenceData(event, url));
    }
    return; // anything else: the network, untouched
  }
  if (request.method === "POST" && request.mode === "navigate" &&
      (url.pathname === RT_CONFIG.orderNew || STATUS_FORM.test(url.pathname))) {
    event.respondWith(postOrQueue(event, url));
  }
});

// ── Keeping the copy fresh: the pages, the villagers, categories and promotions ─

function fetchJson(url) {
  return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  });
}

function allPages(url, pages) {
  return fetchJson(url).then(function (data) {
    var results = (pages || []).concat(data.results || []);
    if (data.next && results.length < MAX_VILLAGER_PAGES * 200) {
      // Follow `next` on this origin only.
      var next = new URL(data.next, self.location.origin);
      return allPages(next.pathname + next.search, results);
    }
    return results;
  });
}

function savedRecently(uid, url) {
  return caches.open(RTStore.pagesCacheName(uid)).then(function (cache) {
    return cache.match(pageKey(url));
  }).then(function (saved) {
    var at = saved ? Date.parse(saved.headers.get("X-RT-Saved-At") || "") : NaN;
    return !isNaN(at) && Date.now() - at < WARM_EVERY_MS;
  });
}

function warm(uid) {
  if (warming) return warming;
  function stillCurrent() {
    if (loggedOut || currentUser !== uid) throw new Error("user changed");
  }
  // A page saved in this round already (the partner just opened it) is not fetched again.
  var pages = RT_CONFIG.pages.map(function (path) {
    var url = new URL(path, self.location.origin);
    return savedRecently(uid, url).then(function (fresh) {
      if (fresh) return null;
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        stillCurrent();
        return response.ok ? storePage(url, response) : null;
      });
    });
  });
  var villagers = allPages(RT_CONFIG.api.villagers + "?page_size=200&ordering=name").then(function (list) {
    stillCurrent();
    return RTStore.replaceVillagers(uid, list);
  });
  var categories = fetchJson(RT_CONFIG.api.categories + "?page_size=200").then(function (data) {
    stillCurrent();
    return RTStore.put(uid, "meta", data.results, "categories");
  });
  var promotions = fetchJson(RT_CONFIG.api.promotions + "?active=true&page_size=200").then(function (data) {
    stillCurrent();
    return RTStore.put(uid, "meta", data.results, "promotions");
  });
  // A part that fails (a suspended partner's API, a dropped connection) waits for the next
  // round like the rest: the page loads do not retry it on every visit.
  var parts = pages.concat([villagers, categories, promotions]).map(function (part) {
    return part.then(function () { return true; }, function () { return false; });
  });
  warming = Promise.all(parts).then(function (done) {
    stillCurrent();
    return RTStore.put(uid, "meta", Date.now(), "warmedAt").then(function () {
      return done.every(Boolean) ? "warmed" : "partly";
    });
  }).finally(function () { warming = null; });
  return warming;
}

function warmIfDue(uid) {
  return RTStore.get(uid, "meta", "warmedAt").then(function (at) {
    if (at && Date.now() - at < WARM_EVERY_MS) return "fresh";
    return warm(uid);
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  function reply(message) { if (port) port.postMessage(message); }
  var work;
  if (data.type === "hello" && data.user) {
    // A partner page: whether it is online to refresh the copy (of the confirmed user only).
    work = confirmPageUser(data.user).then(function () {
      return data.online ? warmIfDue(String(data.user)) : "offline";
    });
  } else if (data.type === "warm" && data.user) {
    work = confirmPageUser(data.user).then(function () {
      return warm(String(data.user));
    });
  } else if (data.type === "logout") {
    // Stop keeping anything until a page says who is logged in; the page deletes the data.
    loggedOut = true;
    currentUser = null;
    RTStore.closeAll();
    work = (warming || Promise.resolve()).catch(function () {}).then(function () { return RTStore.wipeAll(data.user); });
  } else {
    return;
  }
  event.waitUntil(work.then(function (result) { reply({ ok: true, result: result }); }, function (error) {
    reply({ ok: false, error: String(error) });
  }));
});
