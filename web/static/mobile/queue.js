// 移动执法 · 待发送队列: every case step is written to IndexedDB FIRST, then sent; what could not be sent
// stays (待发送) and goes when the connection returns (the `online` event, page load, a bounded backoff
// timer). A retry reuses the step's idempotency key, so a replay stores one event. Steps of one case go in
// order: a later one waits for the earlier. A VERSION_CONFLICT is kept (冲突) with both versions and waits
// for the officer: 以最新版本重新提交 (the current version, a NEW key) or 放弃本机记录.
(function () {
  "use strict";
  if (window.hubQueue) { return; }
  var DB = "officer-queue", STORE = "steps", USED = "used", MAX_USED = 500;
  var MIN_DELAY = 2000, MAX_DELAY = 60000;
  var failures = 0, timer = null, flushing = null, listeners = [], counter = 0;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) { db.createObjectStore(STORE, { keyPath: "idempotencyKey" }); }
        if (!db.objectStoreNames.contains(USED)) { db.createObjectStore(USED, { keyPath: "key" }); }
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), out;
        t.oncomplete = function () { db.close(); resolve(out); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
        out = work(t.objectStore(store));
      });
    });
  }

  function all() {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var req = db.transaction(STORE, "readonly").objectStore(STORE).getAll();
        req.onsuccess = function () {
          db.close();
          resolve(req.result.sort(function (a, b) { return a.order - b.order; }));
        };
        req.onerror = function () { db.close(); reject(req.error); };
      });
    });
  }

  function put(entry) { return tx(STORE, "readwrite", function (s) { s.put(entry); }); }
  function remove(key) { return tx(STORE, "readwrite", function (s) { s["delete"](key); }); }

  function markUsed(key) {
    return tx(USED, "readwrite", function (s) {
      s.put({ key: key, at: Date.now() });
      var req = s.getAll();
      req.onsuccess = function () {
        var rows = req.result.sort(function (a, b) { return a.at - b.at; });
        for (var i = 0; i < rows.length - MAX_USED; i++) { s["delete"](rows[i].key); }
      };
    });
  }

  function wasUsed(key) {
    return open().then(function (db) {
      return new Promise(function (resolve) {
        var req = db.transaction(USED, "readonly").objectStore(USED).get(key);
        req.onsuccess = function () { db.close(); resolve(!!req.result); };
        req.onerror = function () { db.close(); resolve(false); };
      });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function csrf() {
    var f = document.querySelector('form[action="/signout"] input[name="csrf"]');
    return f ? f.value : "";
  }

  function changed() {
    return all().then(function (entries) {
      listeners.forEach(function (fn) { try { fn(entries); } catch (e) { /* a listener's own fault */ } });
      badge(entries);
      return entries;
    });
  }

  // the version a new step of `caseId` is based on: right after the last one still queued (chained), else the page's
  function basis(caseId, pageVersion) {
    return all().then(function (entries) {
      var mine = entries.filter(function (e) { return e.caseId === caseId; });
      if (!mine.length) { return { version: pageVersion, chain: false }; }
      var last = mine[mine.length - 1];
      return { version: Math.max(pageVersion, last.expectedVersion + 1), chain: true };
    });
  }

  function enqueue(step) {
    var entry = {
      idempotencyKey: step.idempotencyKey, caseId: step.caseId, step: step.step, title: step.title || step.step, subject: step.subject || null,
      fields: step.fields, expectedVersion: step.expectedVersion, chain: !!step.chain, postUrl: step.postUrl,
      createdAt: new Date().toISOString(), order: Date.now() * 1000 + (counter++ % 1000), state: "pending",
      attempts: 0, lastError: null, conflict: null, error: null
    };
    return put(entry).then(function () { return markUsed(entry.idempotencyKey); })
      .then(changed).then(function () { return entry; });
  }

  function post(entry) {
    var body = JSON.stringify({ idempotencyKey: entry.idempotencyKey, expectedVersion: entry.expectedVersion,
                                fields: entry.fields, recordedAt: entry.createdAt,
                                subject: entry.subject });
    return fetch(entry.postUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "content-type": "application/json", "x-csrf-token": csrf(), "accept": "application/json" }
    }).then(function (answer) {
      return answer.json().then(function (data) { return { status: answer.status, data: data }; },
        function () { return { status: answer.status, data: null }; });
    });
  }

  var RETRY = { UNAUTHENTICATED: "登录已失效，请重新登录后自动发送", CSRF: "请求校验未通过，刷新页面后自动重发" };

  // one entry sent: "ok" | "conflict" | "refused" | "retry"
  function sendOne(entry, results) {
    return post(entry).then(function (answer) {
      var d = answer.data || {};
      if (d.ok) {
        results[entry.idempotencyKey] = { kind: "ok", data: d };
        return remove(entry.idempotencyKey).then(function () { return { kind: "ok", version: d.version }; });
      }
      if (d.conflict) {
        entry.state = "conflict"; entry.conflict = d.conflict; entry.attempts += 1;
        results[entry.idempotencyKey] = { kind: "conflict", data: d.conflict };
        return put(entry).then(function () { return { kind: "conflict" }; });
      }
      if (answer.status === 403 && !answer.data) {  // the role refusal page: this account may not send it
        d = { error: { code: "FORBIDDEN", message: "当前登录的账号无权发送此步骤" } };
      }
      var err = d.error || {};
      if (answer.status >= 500 || answer.status === 401 || RETRY[err.code] || !d.error) {
        entry.attempts += 1; entry.lastError = RETRY[err.code] || err.message || "网络异常，稍后自动重发";
        return put(entry).then(function () { return { kind: "retry" }; });
      }
      entry.state = "refused"; entry.error = err; entry.attempts += 1;
      results[entry.idempotencyKey] = { kind: "refused", data: err };
      return put(entry).then(function () { return { kind: "refused" }; });
    }, function () {
      entry.attempts += 1; entry.lastError = "当前无网络连接";
      return put(entry).then(function () { return { kind: "retry" }; });
    });
  }

  function runFlush() {
    var results = {}, retry = false;
    return all().then(function (entries) {
      var blocked = {}, chain = Promise.resolve();
      entries.forEach(function (entry) {
        chain = chain.then(function () {
          if (retry || blocked[entry.caseId]) { return; }
          if (entry.state !== "pending") { blocked[entry.caseId] = true; return; }
          return sendOne(entry, results).then(function (outcome) {
            if (outcome.kind === "retry") { retry = true; return; }
            if (outcome.kind !== "ok") { blocked[entry.caseId] = true; return; }
            return rebase(entry, outcome.version);
          });
        });
      });
      return chain;
    }).then(function () {
      failures = retry ? Math.min(failures + 1, 10) : 0;
      return changed();
    }).then(function (left) {
      schedule(left);
      return { results: results, left: left };
    });
  }

  // the step after a sent one, recorded on the phone right after it, is based on the version it produced
  function rebase(sent, version) {
    if (typeof version !== "number") { return Promise.resolve(); }
    return all().then(function (entries) {
      var next = entries.filter(function (e) { return e.caseId === sent.caseId; })[0];
      if (next && next.chain && next.state === "pending") {
        next.expectedVersion = version;
        return put(next);
      }
    });
  }

  function flush() {
    if (flushing) { return flushing; }
    var run = function () { return runFlush(); };
    var job = navigator.locks && navigator.locks.request ? navigator.locks.request(DB, run) : run();
    flushing = Promise.resolve(job).then(function (out) { flushing = null; return out; },
      function (err) { flushing = null; throw err; });
    return flushing;
  }

  function schedule(entries) {
    if (timer) { clearTimeout(timer); timer = null; }
    var waiting = entries.some(function (e) { return e.state === "pending"; });
    if (!waiting) { return; }
    var delay = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, failures));
    timer = setTimeout(function () { timer = null; flush(); }, delay);
  }

  function resubmit(key) {
    return all().then(function (entries) {
      var e = entries.filter(function (x) { return x.idempotencyKey === key; })[0];
      if (!e || e.state !== "conflict" || !e.conflict) { return null; }
      var fresh = Object.assign({}, e, { idempotencyKey: newKey(), expectedVersion: e.conflict.current.version,
                                         state: "pending", conflict: null, chain: false, lastError: null,
                                         previousKey: key });
      return remove(key).then(function () { return put(fresh); })
        .then(function () { return markUsed(fresh.idempotencyKey); }).then(changed).then(flush);
    });
  }

  function discard(key) {
    return all().then(function (entries) {
      var e = entries.filter(function (x) { return x.idempotencyKey === key; })[0];
      if (!e) { return; }
      var after = entries.filter(function (x) { return x.caseId === e.caseId && x.order > e.order; })[0];
      var work = remove(key);
      if (after && after.chain) { after.chain = false; work = work.then(function () { return put(after); }); }
      return work.then(changed).then(flush);
    });
  }

  function badge(entries) {
    var tab = document.querySelector('.m-tabs a[href="/m/"]');
    if (!tab) { return; }
    var b = tab.querySelector(".q-badge");
    if (!entries.length) { if (b) { b.remove(); } return; }
    if (!b) { b = document.createElement("em"); b.className = "q-badge"; tab.appendChild(b); }
    var conflicts = entries.filter(function (e) { return e.state !== "pending"; }).length;
    b.textContent = String(entries.length);
    b.className = "q-badge" + (conflicts ? " q-bad" : "");
    b.setAttribute("aria-label", entries.length + " 项待发送" + (conflicts ? "，其中 " + conflicts + " 项需处理" : ""));
    b.title = b.getAttribute("aria-label");
  }

  function on(fn) { listeners.push(fn); }

  function start() {
    window.addEventListener("online", function () { failures = 0; flush(); });
    changed().then(function () { return flush(); }).catch(function () { /* no IndexedDB: nothing queued */ });
  }

  window.hubQueue = { enqueue: enqueue, flush: flush, all: all, basis: basis, resubmit: resubmit, discard: discard,
                      on: on, newKey: newKey, wasUsed: wasUsed, changed: changed };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

// the queued steps of a case, drawn into `[data-queue-case]` panels (the case page, the step forms)
(function () {
  "use strict";
  var q = window.hubQueue;
  if (!q || q.view) { return; }
  var STATES = { pending: "待发送", conflict: "冲突", refused: "被拒绝" };

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }

  function when(iso) {
    if (!iso) { return ""; }
    var t = new Date(iso).getTime();
    if (isNaN(t)) { return String(iso); }
    var d = new Date(t + 8 * 3600 * 1000);  // China time, whatever the phone's zone
    var p = function (x) { return (x < 10 ? "0" : "") + x; };
    return d.getUTCFullYear() + "-" + p(d.getUTCMonth() + 1) + "-" + p(d.getUTCDate()) + " " + p(d.getUTCHours()) +
      ":" + p(d.getUTCMinutes());
  }

  // what the officer entered, in a line: texts and choices (ticked boxes as 是), the 办理时间 as typed
  function said(fields) {
    var parts = [];
    Object.keys(fields || {}).forEach(function (k) {
      var v = fields[k];
      if (v === true) { return; }
      if (Array.isArray(v)) { v = v.join("、"); }
      if (typeof v === "string" && v.trim()) { parts.push(v.trim().replace("T", " ").slice(0, 80)); }
    });
    return parts.join("；");
  }

  function guardBox(err) {
    var box = el("div", "q-guard");
    box.appendChild(el("p", "q-why", err.message || "该步骤未被接受"));
    if (err.article) { box.appendChild(el("p", "q-article", "依据：" + err.article)); }
    if (err.articleText) { box.appendChild(el("blockquote", "q-law", err.articleText)); }
    if (err.detail) { box.appendChild(el("p", "m-note q-detail", "系统说明：" + err.detail)); }
    return box;
  }

  function conflictBox(e) {
    var c = e.conflict, cur = c.current || {}, box = el("div", "q-clash");
    var grid = el("dl", "q-versions");
    grid.appendChild(el("dt", null, "本机记录"));
    grid.appendChild(el("dd", "q-mine", e.title + " · 基于版本 " + c.expectedVersion + "（" + when(e.createdAt) +
      " 记录）" + (said(e.fields) ? "：" + said(e.fields) : "")));
    grid.appendChild(el("dt", null, "案件现状"));
    grid.appendChild(el("dd", "q-now", "版本 " + cur.version + " · " + (cur.statusName || cur.status || "—")));
    box.appendChild(grid);
    var since = cur.events || [];
    if (since.length) {
      box.appendChild(el("p", "m-note", "其间案件发生的变化："));
      var ol = el("ol", "q-since");
      since.forEach(function (ev) {
        ol.appendChild(el("li", null, "#" + ev.seq + " " + when(ev.at) + " " + (ev.kindName || ev.kind || "") +
          (ev.toState ? " → " + ev.toState : "") + (ev.actorId ? "（" + ev.actorId + "）" : "")));
      });
      box.appendChild(ol);
    }
    var row = el("div", "q-choices");
    var again = el("button", "m-btn q-resubmit", "以最新版本重新提交");
    var drop = el("button", "m-btn q-discard", "放弃本机记录");
    again.type = drop.type = "button";
    var sure = el("div", "q-sure");
    sure.hidden = true;
    sure.appendChild(el("p", null, "将按案件当前版本 " + cur.version + "（" + (cur.statusName || "") + "）重新提交“" +
      e.title + "”，请确认该步骤仍然适用。"));
    var yes = el("button", "m-btn q-confirm", "确认重新提交");
    var no = el("button", "m-btn q-cancel", "取消");
    yes.type = no.type = "button";
    sure.appendChild(yes); sure.appendChild(no);
    again.addEventListener("click", function () { sure.hidden = false; again.hidden = true; yes.focus(); });
    no.addEventListener("click", function () { sure.hidden = true; again.hidden = false; });
    yes.addEventListener("click", function () { yes.disabled = true; q.resubmit(e.idempotencyKey); });
    drop.addEventListener("click", function () { drop.disabled = true; q.discard(e.idempotencyKey); });
    row.appendChild(again); row.appendChild(drop);
    box.appendChild(row); box.appendChild(sure);
    return box;
  }

  function item(e) {
    var li = el("li", "q-item q-" + e.state);
    li.setAttribute("data-key", e.idempotencyKey);
    var head = el("p", "q-head");
    head.appendChild(el("span", "q-state", STATES[e.state] || e.state));
    head.appendChild(el("strong", null, " " + e.title));
    li.appendChild(head);
    li.appendChild(el("p", "m-note", "记录于 " + when(e.createdAt) + " · 基于版本 " + e.expectedVersion +
      (e.lastError && e.state === "pending" ? " · " + e.lastError : "")));
    if (said(e.fields)) { li.appendChild(el("p", "q-said", said(e.fields))); }
    if (e.state === "conflict" && e.conflict) { li.appendChild(conflictBox(e)); }
    if (e.state === "refused" && e.error) {
      li.appendChild(guardBox(e.error));
      var drop = el("button", "m-btn q-discard", "放弃本机记录");
      drop.type = "button";
      drop.addEventListener("click", function () { drop.disabled = true; q.discard(e.idempotencyKey); });
      li.appendChild(drop);
    }
    return li;
  }

  function draw(entries) {
    var panels = document.querySelectorAll("[data-queue-case]");
    Array.prototype.forEach.call(panels, function (panel) {
      var mine = entries.filter(function (e) { return e.caseId === panel.getAttribute("data-queue-case"); });
      panel.textContent = "";
      panel.hidden = !mine.length;
      if (!mine.length) { return; }
      panel.appendChild(el("h2", null, "本机记录（" + mine.length + "）"));
      var ol = el("ol", "q-list");
      mine.forEach(function (e) { ol.appendChild(item(e)); });
      panel.appendChild(ol);
    });
  }

  q.view = { draw: draw, guardBox: guardBox };
  q.on(draw);
})();
