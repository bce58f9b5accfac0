/* 接口调试: GraphiQL over the console's own /explorer/graphql (the session cookie and the page's CSRF token;
   the access token stays on the server). The purpose code and reference chosen above the IDE travel as
   x-purpose-code / x-purpose-ref. An expired session shows the 重新登录 link, which comes back here. */
(function () {
  "use strict";
  var settings = window.hubData("explorer-settings");
  var purposes = window.hubData("explorer-purposes") || [];
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var purposeSelect = document.getElementById("purpose-code");
  var refInput = document.getElementById("purpose-ref");
  var signin = document.getElementById("explorer-signin");
  var current = document.getElementById("purpose-current");
  var detail = document.getElementById("purpose-detail");
  var mount = document.getElementById("graphiql");
  var STORE = "hub-explorer-purpose";

  function remembered() {
    try { return JSON.parse(window.sessionStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }

  function remember() {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify({ code: purposeSelect.value, ref: refInput.value }));
    } catch (e) { /* storage off: the choice lasts for this page only */ }
  }

  function describe() {
    for (var i = 0; i < purposes.length; i++) {
      if (purposes[i][0] === purposeSelect.value) {
        current.textContent = purposes[i][1];
        detail.textContent = purposes[i][2];
      }
    }
  }

  var saved = remembered();
  if (saved && typeof saved.code === "string") {
    for (var i = 0; i < purposeSelect.options.length; i++) {
      if (purposeSelect.options[i].value === saved.code) { purposeSelect.value = saved.code; }
    }
    if (typeof saved.ref === "string") { refInput.value = saved.ref.slice(0, settings.maxRefChars); }
  }
  describe();
  purposeSelect.addEventListener("change", function () { describe(); remember(); });
  refInput.addEventListener("change", remember);

  function parsed(response) {
    return response.text().then(function (text) {
      try {
        return JSON.parse(text);
      } catch (e) {
        return { errors: [{ message: "服务返回了无法识别的结果（HTTP " + response.status + "）",
                            extensions: { code: "BAD_ANSWER" } }] };
      }
    });
  }

  function fetcher(params) {
    var headers = {
      "content-type": "application/json",
      "accept": "application/graphql-response+json, application/json",
      "x-csrf-token": csrf
    };
    if (purposeSelect.value) { headers["x-purpose-code"] = purposeSelect.value; }
    var ref = refInput.value.trim();
    if (ref) { headers["x-purpose-ref"] = ref; }
    return window.fetch(settings.endpoint, {
      method: "POST", headers: headers, body: JSON.stringify(params), credentials: "same-origin"
    }).then(function (response) {
      signin.hidden = response.status !== 401;
      return parsed(response);
    }, function () {
      return { errors: [{ message: "无法连接到平台服务，请检查网络后重试", extensions: { code: "NETWORK" } }] };
    });
  }

  // GraphiQL keeps the user's tabs (query and variables) in localStorage; the example's variables only
  // on a first visit, so that a reload never overwrites what the user wrote
  function firstVisit() {
    try { return window.localStorage.getItem("graphiql:tabState") === null; } catch (e) { return true; }
  }

  var h = window.React.createElement;
  var logo = h(window.GraphiQL.Logo, null, "接口调试");
  var props = {
    fetcher: fetcher,
    defaultQuery: settings.defaultQuery,
    defaultEditorToolsVisibility: "variables",
    isHeadersEditorEnabled: false,
    shouldPersistHeaders: false,
    forcedTheme: "light"
  };
  if (firstVisit()) { props.variables = settings.defaultVariables; }
  var ide = h(window.GraphiQL, props, logo);
  mount.textContent = "";
  window.ReactDOM.createRoot(mount).render(ide);
})();
