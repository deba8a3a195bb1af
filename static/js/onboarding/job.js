// The cohort activation page: follow the job through the API once a second, moving the
// progress bar and the count, and reload the page (with its results) once it has ended.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) return;
  var bar = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var template = count ? count.textContent : "";
  function poll() {
    fetch(box.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        bar.value = job.progress;
        bar.textContent = job.progress + "%";
        if (count) count.textContent = template.replace(/\d+/, String(job.done));
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
