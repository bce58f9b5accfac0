// 移动执法 · 送达: the party's signature drawn on a canvas (pointer events: finger, stylus or mouse),
// smoothed with quadratic curves through the midpoints, exported as PNG into the form's hidden
// `signature` field. The 清除 button empties the pad; an empty pad is refused (请当事人签名) unless
// the party refuses to sign, which needs a witness. Where web/static/mobile/sm3.js is loaded
// (window.hubSm3), the PNG's SM3 is taken on the device and sent with it; the server checks it.
(function () {
  "use strict";
  var form = document.getElementById("service-form");
  var pad = document.getElementById("signature-pad");
  if (!form || !pad || !pad.getContext) { return; }
  var field = document.getElementById("f-signature");
  var hashField = document.getElementById("f-signature-sm3");
  var error = document.getElementById("err-signature");
  var refused = document.getElementById("f-refused");
  var witness = document.getElementById("witness-block");
  var signBlock = document.getElementById("sign-block");
  var ctx = pad.getContext("2d");
  var strokes = 0;
  var points = [];
  var drawing = false;

  function setup() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var box = pad.getBoundingClientRect();
    pad.width = Math.round(box.width * ratio);
    pad.height = Math.round(box.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 2.6;
  }

  function at(event) {
    var box = pad.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  function segment() {
    // a smooth line: a quadratic curve from the last midpoint to the next, through the point between
    var n = points.length;
    if (n < 2) { return; }
    var a = points[n - 2], b = points[n - 1];
    var m = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    ctx.beginPath();
    var start = points.lastMid || a;
    ctx.moveTo(start.x, start.y);
    ctx.quadraticCurveTo(a.x, a.y, m.x, m.y);
    ctx.stroke();
    points.lastMid = m;
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
    if (text) { pad.setAttribute("aria-invalid", "true"); } else { pad.removeAttribute("aria-invalid"); }
  }

  pad.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    if (pad.setPointerCapture) { pad.setPointerCapture(event.pointerId); }
    drawing = true;
    points = [at(event)];
    var p = points[0];
    ctx.beginPath();
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, Math.PI * 2);
    ctx.fillStyle = "#111";
    ctx.fill();
  });
  pad.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var list = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (var i = 0; i < list.length; i += 1) {
      points.push(at(list[i]));
      segment();
    }
  });
  function end(event) {
    if (!drawing) { return; }
    drawing = false;
    if (event && event.type === "pointerup") { points.push(at(event)); segment(); }
    strokes += 1;
    pad.classList.add("signed");
    field.value = "";
    hashField.value = "";
    showError("");
  }
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  pad.addEventListener("lostpointercapture", end);

  function clear() {
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, pad.width, pad.height);
    ctx.restore();
    strokes = 0;
    field.value = "";
    hashField.value = "";
    pad.classList.remove("signed");
  }
  document.getElementById("signature-clear").addEventListener("click", clear);

  function bytesOf(dataUrl) {
    var raw = window.atob(dataUrl.split(",")[1] || "");
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function syncRefusal() {
    var on = refused && refused.checked;
    witness.hidden = !on;
    signBlock.disabled = !!on;
    signBlock.hidden = !!on;
    if (on) { showError(""); }
  }
  if (refused) { refused.addEventListener("change", syncRefusal); }

  form.addEventListener("submit", function (event) {
    if (refused && refused.checked) { return; }
    if (strokes === 0 && !field.value) {
      event.preventDefault();
      showError("请当事人签名");
      pad.focus();
      return;
    }
    if (strokes > 0) {
      field.value = pad.toDataURL("image/png");
      if (window.hubSm3 && window.hubSm3.hex) {
        try { hashField.value = window.hubSm3.hex(bytesOf(field.value)); } catch (e) { hashField.value = ""; }
      }
    }
  });

  function restore() {
    // a form sent back with an error keeps the party's signature: draw it again, send it again as it was
    if (!field.value) { return; }
    var img = new Image();
    img.onload = function () {
      var box = pad.getBoundingClientRect();
      ctx.drawImage(img, 0, 0, box.width, box.height);
      pad.classList.add("signed");
    };
    img.src = field.value;
  }

  setup();
  syncRefusal();
  restore();
  window.addEventListener("resize", function () { if (strokes === 0 && !field.value) { setup(); } });
})();
