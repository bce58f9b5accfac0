/* 采集证据: hash the chosen file on the phone, upload it (upload.js), then record it on the case with the
   SM3 computed here. Status in Chinese beside a progress bar; a hash mismatch is shown plainly. */
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  if (!form || !window.hubUpload || !window.hubSm3) { return; }
  var bar = document.getElementById("ev-bar"), status = document.getElementById("ev-status");
  var box = document.getElementById("ev-progress"), hashLine = document.getElementById("ev-hash");
  var errorLine = document.getElementById("ev-error"), submit = document.getElementById("ev-submit");
  var fileInput = document.getElementById("f-file"), title = document.getElementById("f-title");
  var capturedAt = null;

  function show(text, percent) {
    box.hidden = false;
    status.textContent = text;
    bar.value = Math.max(0, Math.min(100, percent));
  }
  function fail(message) {
    errorLine.textContent = message;
    errorLine.hidden = false;
    submit.disabled = false;
  }

  function listed(kind, name, sm3) {
    // the evidence just recorded joins the list below (the server's list shows it on the next visit too)
    var list = document.getElementById("ev-list");
    var empty = document.getElementById("ev-empty");
    if (!list) {
      list = document.createElement("ul");
      list.id = "ev-list"; list.className = "m-list ev-list";
      (empty ? empty.parentNode : form.parentNode).appendChild(list);
    }
    if (empty) { empty.hidden = true; }
    var item = document.createElement("li"), head = document.createElement("strong"), hash = document.createElement("span");
    head.textContent = kind + "：" + name;
    hash.className = "m-mono ev-sm3"; hash.dataset.sm3 = sm3; hash.textContent = "SM3 " + sm3;
    item.appendChild(head); item.appendChild(hash);
    list.appendChild(item);
  }

  fileInput.addEventListener("change", function () {
    // the moment the photo/clip reached the form; a file's own date is used when the camera gave one
    var f = fileInput.files && fileInput.files[0];
    capturedAt = f && f.lastModified ? new Date(f.lastModified) : new Date();
    if (f && !title.value) { title.value = f.name.replace(/\.[^.]*$/, "").slice(0, 60); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorLine.hidden = true;
    var file = fileInput.files && fileInput.files[0];
    if (!file) { fail("请先拍摄或选择文件。"); fileInput.focus(); return; }
    if (!title.value.trim()) { fail("请填写证据名称。"); title.focus(); return; }
    submit.disabled = true;
    hashLine.hidden = true;
    var csrf = form.dataset.csrf;
    window.hubUpload.send(file, {
      csrf: csrf, onProgress: show,
      onHash: function (sm3) { hashLine.textContent = "SM3 " + sm3; hashLine.dataset.sm3 = sm3; hashLine.hidden = false; }
    }).then(function (stored) {
      show("正在记录证据 …", 100);
      return fetch("/m/cases/" + encodeURIComponent(form.dataset.case) + "/evidence", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf, "accept": "application/json" },
        body: JSON.stringify({
          kind: form.elements.kind.value, title: title.value, sm3: stored.sm3, mediaType: stored.mediaType,
          capturedAt: (capturedAt || new Date()).toISOString(), location: form.elements.location.value,
          deviceId: form.elements.deviceId.value, signed: !!(form.elements.signed && form.elements.signed.checked),
          "with": Array.prototype.filter.call(form.querySelectorAll('input[name="with"]'), function (box) {
            return box.checked; }).map(function (box) { return box.value; })
        })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            throw new window.hubUpload.UploadError((data.error || {}).code || "HTTP",
              (data.error || {}).message || "证据记录失败（" + response.status + "）", response.status);
          }
          show("上传完成，证据已记录。", 100);
          box.classList.add("ev-done");
          submit.hidden = true;
          listed(form.elements.kind.options[form.elements.kind.selectedIndex].text, title.value, stored.sm3);
          document.getElementById("ev-after").hidden = false;
        });
      });
    }).catch(function (err) {
      var message = (err && err.message) || "上传失败";
      if (err && err.code === "BLOB_INVALID") { message = "哈希校验失败：" + message; }
      show("上传未完成", bar.value);
      fail(message);
    });
  });
}());
