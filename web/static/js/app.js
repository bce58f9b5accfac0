/* The console's own behaviour, shared by every page (no inline scripts: the CSP allows files only). */
(function () {
  "use strict";
  // A form or button with data-confirm asks before it acts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
  // Page data for scripts travels in <script type="application/json" id="...">, never in inline code.
  window.hubData = function (id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent || "null") : null;
  };
})();
