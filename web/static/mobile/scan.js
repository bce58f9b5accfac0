// 移动执法 · 扫码: read the USCC from a business licence's QR code — a photo taken with the phone's camera
// (or chosen from the album), or the live camera where the browser allows it — decoded on the device with
// jsQR (vendored, web/static/vendor/jsqr). The code's text is a bare USCC or a URL/text holding one; the
// USCC found fills the 统一社会信用代码 field and the lookup is sent (the page checks the check digit).
(function () {
  "use strict";
  var box = document.getElementById("scan");
  if (!box || typeof window.jsQR !== "function") { return; }
  var form = document.getElementById("lookup-form");
  var field = document.getElementById("uscc");
  var status = document.getElementById("scan-status");
  var photo = document.getElementById("scan-photo");
  var live = document.getElementById("scan-live");
  var video = document.getElementById("scan-video");
  var USCC = /[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}/;
  var MAX_SIDE = 1600;     // larger photos are scaled down before decoding (a phone photo is 4000 px wide)
  var LIVE_FRAMES = 600;   // the live camera gives up after so many frames (about 20 s)

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "m-error" : "m-note";
  }

  function found(text) {
    var m = USCC.exec(String(text || "").toUpperCase());
    if (!m) { say("二维码中没有统一社会信用代码，请手工输入", true); return false; }
    field.value = m[0];
    say("已识别：" + m[0]);
    form.submit();
    return true;
  }

  function decode(source, width, height) {
    var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    var w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
    var canvas = document.createElement("canvas");
    canvas.width = w; canvas.height = h;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(source, 0, 0, w, h);
    var code = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
    return code ? code.data : null;
  }

  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) { return; }
    say("正在识别二维码 …");
    createImageBitmap(file).then(function (image) {
      var text = decode(image, image.width, image.height);
      if (image.close) { image.close(); }
      if (text === null) { say("未识别到二维码，请对准营业执照上的二维码重新拍摄", true); return; }
      found(text);
    }).catch(function () { say("无法读取该图片，请重新拍摄", true); });
  });

  if (!live) { return; }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { live.hidden = true; return; }
  live.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      return video.play().then(function () { return stream; });
    }).then(function (stream) {
      say("请将二维码置于取景框内 …");
      var frames = 0;
      function stop() { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; }
      function tick() {
        frames += 1;
        if (video.videoWidth && video.videoHeight) {
          var text = decode(video, video.videoWidth, video.videoHeight);
          if (text !== null) { stop(); found(text); return; }
        }
        if (frames >= LIVE_FRAMES) { stop(); say("未识别到二维码，可改用拍照识别", true); return; }
        window.requestAnimationFrame(tick);
      }
      window.requestAnimationFrame(tick);
    }).catch(function () { say("无法打开摄像头，请改用拍照识别", true); });
  });
})();
