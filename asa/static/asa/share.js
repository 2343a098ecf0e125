// Share a one-time partner link: copy it, or hand it to LINE / email (plain links that work
// without this script; the script only adds the copy button's clipboard write).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      if (!field) return;
      var done = function () {
        var status = document.getElementById(button.getAttribute("data-copy-status"));
        if (status) status.hidden = false;
      };
      // Plain HTTP on a center's intranet has no clipboard API: the older call still copies
      // a selection.
      var fallback = function () {
        field.select();
        if (document.execCommand("copy")) done();
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
