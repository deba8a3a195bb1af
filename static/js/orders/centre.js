// The county centre's receive form: a barcode scan with the phone's camera where the
// browser has a BarcodeDetector (each number read is added as a line), and a busy state
// while a long list is being received. Without JavaScript the form works as it is.
(function () {
  "use strict";
  var form = document.getElementById("receive-form");
  if (!form) return;
  var area = form.querySelector("textarea");
  var submit = document.getElementById("receive-submit");
  form.addEventListener("submit", function () {
    submit.disabled = true;
    submit.textContent = form.dataset.busy;
    form.setAttribute("aria-busy", "true");
  });

  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  start.hidden = false;
  var label = start.textContent;
  var stream = null;
  var seen = {};
  var detector = null;

  function add(number) {
    if (seen[number]) return;
    seen[number] = true;
    area.value = (area.value.replace(/\s+$/, "") + "\n" + number).replace(/^\n/, "");
    status.textContent = number;
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    start.textContent = label;
  }

  function tick() {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      codes.forEach(function (c) { if (c.rawValue) add(c.rawValue.trim().toUpperCase()); });
    }).catch(function () {}).then(function () {
      if (stream) window.requestAnimationFrame(tick);
    });
  }

  start.addEventListener("click", function () {
    if (stream) { stop(); return; }
    detector = new window.BarcodeDetector();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      start.textContent = start.dataset.stop;
      return video.play();
    }).then(tick).catch(function (err) {
      status.textContent = String(err && err.message || err);
      stop();
    });
  });
})();
