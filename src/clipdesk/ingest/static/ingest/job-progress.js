// Live progress on an ingest job's page: polls the job's status.json and shows its stage and percentage.
// When the job ends, the page is reloaded so that it shows the draft's link or the Retry button.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var finished = { done: true, failed: true };
  if (finished[box.getAttribute("data-status")]) return;

  function show(job) {
    box.querySelector("[data-job-status]").textContent = job.status.charAt(0).toUpperCase() + job.status.slice(1);
    box.querySelector("[data-job-stage]").textContent = job.stage_label;
    box.querySelector("[data-job-percent]").textContent = finished[job.status] ? "" : job.percent + "%";
    var bar = box.querySelector("[data-job-progress]");
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    var error = box.querySelector("[data-job-error]");
    error.textContent = job.error || "";
    error.hidden = !job.error;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (finished[job.status]) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server is busy or restarting: try again, less often
      });
  }

  window.setTimeout(poll, 1000);
})();
