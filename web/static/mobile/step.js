// 移动执法 · 办案步骤表单: the form's values go into the queue (IndexedDB) first, then out; the answer is
// shown beside the form — sent (back to the case), 待发送 (no network: kept on the phone), 冲突 (both
// versions, the officer chooses) or refused (what failed, the article and its text).
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  var q = window.hubQueue;
  if (!form || !q) { return; }
  var result = document.getElementById("step-result");
  var queuePanel = document.getElementById("step-queue");
  var caseId = form.getAttribute("data-case");
  var title = form.getAttribute("data-title");
  var button = form.querySelector(".st-submit");
  queuePanel.setAttribute("data-queue-case", caseId);
  q.changed();

  function values() {
    var out = {};
    var groups = form.querySelectorAll("fieldset[data-field]");
    Array.prototype.forEach.call(groups, function (g) {
      out[g.getAttribute("data-field")] = Array.prototype.map.call(
        g.querySelectorAll("input[type=checkbox]:checked"), function (i) { return i.value; });
    });
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "hidden" || input.closest("fieldset[data-field]")) { return; }
      out[input.name] = input.type === "checkbox" ? input.checked : input.value;
    });
    return out;
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".st-field-error"), function (p) { p.hidden = true; p.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (i) { i.removeAttribute("aria-invalid"); });
  }

  function fieldError(name, message) {
    var p = document.getElementById("err-" + name), input = document.getElementById("f-" + name);
    if (p) { p.textContent = message; p.hidden = false; }
    if (input) { input.setAttribute("aria-invalid", "true"); input.setAttribute("aria-describedby", "err-" + name); }
  }

  function say(cls, heading, body) {
    result.textContent = "";
    var box = document.createElement("div");
    box.className = "notice " + cls;
    var h = document.createElement("p");
    h.className = "st-head";
    h.textContent = heading;
    box.appendChild(h);
    if (body) { box.appendChild(body); }
    result.appendChild(box);
    result.scrollIntoView({ block: "start" });
  }

  function key() {
    var given = form.elements.idempotencyKey.value;
    return q.wasUsed(given).then(function (used) { return used ? q.newKey() : given; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    button.disabled = true;
    var pageVersion = parseInt(form.elements.expectedVersion.value, 10);
    var fields = values();
    Promise.all([key(), q.basis(caseId, pageVersion)]).then(function (got) {
      return q.enqueue({ idempotencyKey: got[0], caseId: caseId, step: form.getAttribute("data-step"), title: title, subject: form.getAttribute("data-me"),
                         fields: fields, expectedVersion: got[1].version, chain: got[1].chain,
                         postUrl: form.getAttribute("action") });
    }).then(function (entry) {
      say("warn", "已保存在本机，正在发送…");
      return q.flush().then(function (out) { return { entry: entry, out: out }; });
    }).then(function (got) {
      var outcome = got.out.results[got.entry.idempotencyKey];
      if (!outcome) {
        say("warn", "待发送：当前无法连接，本步骤已保存在本机，恢复网络后自动发送。");
        button.disabled = false;
        return;
      }
      if (outcome.kind === "ok") {
        say("ok", "已发送：案件现为“" + (outcome.data.statusName || outcome.data.status) + "”（版本 " +
          outcome.data.version + "）。正在返回…");
        window.setTimeout(function () { window.location.assign(outcome.data.next); }, 600);
        return;
      }
      if (outcome.kind === "conflict") {
        say("bad", "冲突：案件已被他人更新，本机记录未发送。请在下方选择处理方式。");
        button.disabled = false;
        return;
      }
      var err = outcome.data || {};
      q.discard(got.entry.idempotencyKey);  // refused on the spot: nothing stored, the officer corrects and resends
      if (err.code === "GUARD_FAILED") {
        say("bad", "未通过法定条件校验，本步骤未记录：", q.view.guardBox(err));
      } else {
        say("bad", err.message || "该步骤未被接受");
        if (err.field) { fieldError(err.field, err.message || "请检查此项"); }
      }
      button.disabled = false;
    }).catch(function () {
      say("bad", "本机无法保存记录（浏览器存储不可用），请勿离开本页并重试。");
      button.disabled = false;
    });
  });
})();
