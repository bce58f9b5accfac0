/* 案件详情: when the chain is broken, bring the broken event into view and open its hashes. */
(function () {
  "use strict";
  var status = document.getElementById("chain-status");
  if (!status || status.getAttribute("data-ok") === "true") { return; }
  var seq = status.getAttribute("data-seq");
  var target = seq ? document.getElementById("event-" + seq) : null;
  if (!target) { return; }
  var details = target.querySelector("details");
  if (details) { details.open = true; }
  var link = document.getElementById("goto-broken");
  if (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus({ preventScroll: true });
    });
  }
  target.setAttribute("tabindex", "-1");
})();
