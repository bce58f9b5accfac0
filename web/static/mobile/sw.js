// 移动执法 service worker (scope /m/): the shell's static assets come from a versioned cache, so the
// app starts without a network; pages are network-first (an officer always sees the graph's current
// figures) and fall back to the last copy of that page, or the offline notice, when the network fails —
// so a case page or a step form opened once loads after an offline reload and shows the steps queued
// on the phone (queue.js keeps them in IndexedDB; the service worker never replays a POST).
"use strict";

var SHELL = "officer-shell-v2";  // a changed worker re-fetches every asset into it on install
var PAGES = "officer-pages-v1";
var ASSETS = [
  "/static/mobile/mobile.css",
  "/static/mobile/app.js",
  "/static/mobile/queue.js",
  "/static/mobile/step.js",
  "/static/mobile/icon-192.png",
  "/static/mobile/icon-512.png",
  "/m/manifest.webmanifest"
];
var OFFLINE = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>离线 · 移动执法</title>" +
  "<link rel=\"icon\" href=\"/static/mobile/icon-192.png\" type=\"image/png\">" +
  "<link rel=\"stylesheet\" href=\"/static/mobile/mobile.css\"><body class=\"m\"><main class=\"m-main\">" +
  "<h1 class=\"m-h1\">网络不可用</h1><p class=\"m-empty\">当前没有网络连接，恢复后请刷新页面。</p></main></body></html>";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== SHELL && n !== PAGES; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function isAsset(url) {
  return ASSETS.indexOf(url.pathname) !== -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (isAsset(url)) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/m/") === 0) {
    event.respondWith(fetch(request).then(function (answer) {
      if (answer.ok) {
        var copy = answer.clone();
        caches.open(PAGES).then(function (cache) { return cache.put(request, copy); });
      }
      return answer;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || new Response(OFFLINE, { headers: { "content-type": "text/html; charset=utf-8" } });
      });
    }));
  }
});
