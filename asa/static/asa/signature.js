// Goods pages: the recipient signs on the phone's screen; the drawing goes to the server as a
// PNG data URL in the hidden field `signature_data`. Also the receipt's print button.
// Loaded as a file (strict CSP: no inline scripts or handlers).
(function () {
  "use strict";

  function setUpPad(canvas) {
    var form = canvas.closest("form");
    var field = form.querySelector("input[name='signature_data']");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }
    function start(event) {
      event.preventDefault();
      drawing = true;
      canvas.setPointerCapture && canvas.setPointerCapture(event.pointerId);
      var at = point(event);
      context.beginPath();
      context.moveTo(at.x, at.y);
    }
    function move(event) {
      if (!drawing) return;
      event.preventDefault();
      var at = point(event);
      context.lineTo(at.x, at.y);
      context.stroke();
      drawn = true;
    }
    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerdown", start);
    canvas.addEventListener("pointermove", move);
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        drawn = false;
      });
    }
  }

  function ready() {
    document.querySelectorAll("canvas.signature-canvas").forEach(setUpPad);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
