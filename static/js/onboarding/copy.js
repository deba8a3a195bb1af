// "Copy link" beside a read-only link field: shown only where the browser can copy
// (the field itself stays selectable everywhere); says "Copied" for a moment after.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard || !window.isSecureContext) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copied;
        button.classList.add("copied");
        window.setTimeout(function () { button.textContent = label; button.classList.remove("copied"); }, 2000);
      }, function () { field.select(); });
    });
  });
})();
