// 移动执法: registers the service worker (scope /m/) so the shell starts offline.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function (err) {
      // the app works without it (online only); say so once, quietly
      document.documentElement.setAttribute("data-sw", "unavailable");
      if (window.console && console.info) { console.info("service worker not registered:", err && err.message); }
    });
  });
})();

// signing out forgets the pages kept for offline start (they show case data)
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.getAttribute && form.getAttribute("action") === "/signout" && window.caches) {
      window.caches.delete("officer-pages-v1");
    }
  });
})();

// the queue of case steps (待发送, 冲突) runs on every page of the app: it sends what is waiting and shows
// the count on 我的任务
(function () {
  "use strict";
  if (window.hubQueue || !window.indexedDB || document.querySelector('script[src="/static/mobile/queue.js"]')) { return; }
  var s = document.createElement("script");
  s.src = "/static/mobile/queue.js";
  document.body.appendChild(s);
})();
