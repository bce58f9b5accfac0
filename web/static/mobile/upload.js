/* Resumable upload of an evidence file from the phone (needs sm3.js).

   window.hubUpload.send(file, {csrf, onProgress(text, percent)}) -> Promise<{sm3, size, mediaType}>

   1. The file is hashed on the device with SM3, read in 4 MiB slices (Blob.slice().arrayBuffer()), so a
      50 MB video is never held whole in memory.                              "正在计算哈希 … 37%"
   2. An upload session is started (POST /m/uploads {sm3, size, mediaType}); {sm3, uploadId, name, size} is
      kept in IndexedDB. The File itself cannot be kept: after a reload the officer picks the same file
      again, its SM3 finds the record, and the upload goes on from what the server has (`received`).
   3. Parts of 1 MiB are PUT from `received`. A network failure or a 5xx is retried with bounded backoff
      (0.5 s doubling to 8 s, at most 12 failures in a row); before resuming, the server is asked how
      much it has (GET /m/uploads/{id}).
   4. POST /m/uploads/{id}/finish: the server hashes the whole file; a different SM3 stores nothing and
      is reported as a hash mismatch. */
(function (root) {
  "use strict";

  var HASH_SLICE = 4 * 1024 * 1024;
  var PART = 1024 * 1024;
  var MAX_FAILURES = 12;
  var DB_NAME = "hub-evidence", STORE = "uploads";

  function UploadError(code, message, status) {
    this.name = "UploadError"; this.code = code; this.message = message; this.status = status || 0;
  }
  UploadError.prototype = Object.create(Error.prototype);

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* ---- IndexedDB: {sm3, uploadId, name, size, mediaType, at} by sm3 ---- */
  function openDb() {
    return new Promise(function (resolve) {
      if (!root.indexedDB) { resolve(null); return; }
      var req = root.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "sm3" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { resolve(null); };  // private mode: upload still works, only not across reloads
    });
  }
  function dbDo(mode, action) {
    return openDb().then(function (db) {
      if (!db) { return null; }
      return new Promise(function (resolve) {
        var tx = db.transaction(STORE, mode);
        var req = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(req && req.result); };
        tx.onerror = tx.onabort = function () { db.close(); resolve(null); };
      });
    });
  }
  var saved = {
    get: function (sm3) { return dbDo("readonly", function (s) { return s.get(sm3); }); },
    put: function (rec) { return dbDo("readwrite", function (s) { return s.put(rec); }); },
    drop: function (sm3) { return dbDo("readwrite", function (s) { return s.delete(sm3); }); }
  };

  /* ---- hashing on the device ---- */
  function hashFile(file, onProgress) {
    var hasher = root.hubSm3.create();
    var at = 0;
    function step() {
      onProgress("正在计算哈希 … " + (file.size ? Math.floor(at * 100 / file.size) : 100) + "%",
                 file.size ? at * 100 / file.size : 100);
      if (at >= file.size) { return Promise.resolve(hasher.hex()); }
      var end = Math.min(at + HASH_SLICE, file.size);
      return file.slice(at, end).arrayBuffer().then(function (buf) {
        hasher.update(new Uint8Array(buf));
        at = end;
        return step();
      });
    }
    return step();
  }

  /* ---- the server's calls ---- */
  function call(method, url, csrf, body, type) {
    var headers = { "x-csrf-token": csrf, "accept": "application/json" };
    if (type) { headers["content-type"] = type; }
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) { return data; }
          var err = (data && data.error) || {};
          throw new UploadError(err.code || ("HTTP_" + response.status),
                                err.message || ("服务器返回错误（" + response.status + "）"), response.status);
        });
      }, function () { throw new UploadError("NETWORK", "网络连接中断", 0); });
  }
  function retryable(err) { return err.status === 0 || err.status >= 500 || err.code === "OFFSET"; }

  /* Run `action` until it succeeds; a retryable failure waits (bounded backoff) and runs `before` first. */
  function withRetries(action, onWait) {
    var failures = 0;
    function attempt() {
      return action(failures > 0).catch(function (err) {
        if (!(err instanceof UploadError) || !retryable(err)) { throw err; }
        failures += 1;
        if (failures > MAX_FAILURES) {
          throw new UploadError("GAVE_UP", "网络持续不可用，已暂停上传。网络恢复后重新选择同一文件即可从断点继续。", 0);
        }
        var wait = Math.min(500 * Math.pow(2, failures - 1), 8000);
        onWait(err, wait, failures);
        return sleep(wait).then(attempt);
      });
    }
    return attempt().then(function (value) { failures = 0; return value; });
  }

  function send(file, options) {
    var csrf = options.csrf, onProgress = options.onProgress || function () {};
    var mediaType = file.type || "application/octet-stream";
    var sm3, session;

    function pct(received) { return file.size ? received * 100 / file.size : 100; }
    function waiting(err, wait) {
      onProgress("网络中断，" + Math.round(wait / 1000 * 10) / 10 + " 秒后重试（" + err.message + "）…",
                 session ? pct(session.received) : 0);
    }
    function start() {
      return call("POST", "/m/uploads", csrf, JSON.stringify({ sm3: sm3, size: file.size, mediaType: mediaType }),
                  "application/json").then(function (s) {
        return saved.put({ sm3: sm3, uploadId: s.id, name: file.name, size: file.size, mediaType: mediaType,
                           at: new Date().toISOString() }).then(function () { return s; });
      });
    }
    function status(id) { return call("GET", "/m/uploads/" + encodeURIComponent(id), csrf); }
    function resumeOrStart() {
      return saved.get(sm3).then(function (rec) {
        if (!rec || rec.size !== file.size) { return start(); }
        return status(rec.uploadId).then(function (s) {
          onProgress("已找到未完成的上传，从 " + Math.floor(pct(s.received)) + "% 继续", pct(s.received));
          return s;
        }, function (err) {
          if (err.status === 404 || err.status === 403) { return saved.drop(sm3).then(start); }
          throw err;
        });
      });
    }
    function sendParts() {
      if (session.complete || session.received >= file.size) { return Promise.resolve(); }
      return withRetries(function (isRetry) {
        var ask = isRetry ? status(session.id).then(function (s) { session.received = s.received;
                                                                     session.complete = s.complete; })
                          : Promise.resolve();
        return ask.then(function () {
          if (session.complete || session.received >= file.size) { return null; }
          var from = session.received, to = Math.min(from + PART, file.size);
          return call("PUT", "/m/uploads/" + encodeURIComponent(session.id) + "?offset=" + from, csrf,
                      file.slice(from, to), "application/octet-stream");
        });
      }, waiting).then(function (s) {
        if (s) { session.received = s.received; session.complete = s.complete; }
        onProgress("正在上传 … " + Math.floor(pct(session.received)) + "%", pct(session.received));
        return sendParts();
      });
    }

    return hashFile(file, onProgress).then(function (hex) {
      sm3 = hex;
      if (options.onHash) { options.onHash(sm3); }
      return withRetries(resumeOrStart, waiting);
    }).then(function (s) {
      session = s;
      onProgress("正在上传 … " + Math.floor(pct(session.received)) + "%", pct(session.received));
      return sendParts();
    }).then(function () {
      onProgress("正在校验 …", 100);
      return withRetries(function () {
        return call("POST", "/m/uploads/" + encodeURIComponent(session.id) + "/finish", csrf, "{}",
                    "application/json");
      }, waiting).catch(function (err) {
        if (err.code === "BLOB_INVALID") { return saved.drop(sm3).then(function () { throw err; }); }
        throw err;
      });
    }).then(function (stored) {
      if (stored.sm3 !== sm3) {
        throw new UploadError("BLOB_INVALID", "服务器保存的文件哈希值与手机上计算的不一致。", 422);
      }
      return saved.drop(sm3).then(function () { return { sm3: sm3, size: file.size, mediaType: mediaType }; });
    });
  }

  root.hubUpload = { send: send, hashFile: hashFile, UploadError: UploadError, PART: PART };
}(window));
