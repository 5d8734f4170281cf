// The ingest form's file goes ahead in parts with tus (tus-js-client): each part a short request, and
// an upload cut off (a closed laptop, a dropped connection, a server restart) resumes where it stopped,
// on retry or when the same file is chosen again later. Once the file is complete, the form is sent
// with the upload's address in place of the file. Without JavaScript the form sends the file itself.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-endpoint]");
  if (!form || !window.tus || !tus.isSupported) return;
  var input = form.querySelector("input[type=file]");
  var hidden = form.querySelector("input[name=upload]");
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var button = form.querySelector("button[type=submit]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sending = false;

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file || hidden.value) return; // nothing to send ahead, or already sent
    event.preventDefault();
    if (sending) return;
    sending = true;
    button.disabled = true;
    bar.hidden = false;
    var upload = new tus.Upload(file, {
      endpoint: form.getAttribute("data-upload-endpoint"),
      chunkSize: Number(form.getAttribute("data-chunk-bytes")),
      // A dropped connection is retried for a while; a server that refuses the file is not.
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000],
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      headers: { "X-CSRFToken": token },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        bar.max = total;
        bar.value = sent;
        say("Uploading " + file.name + ": " + megabytes(sent) + " of " + megabytes(total) + ".");
      },
      onError: function (error) {
        sending = false;
        button.disabled = false;
        var response = error.originalResponse;
        var reason = response && response.getBody() ? response.getBody() : error.message;
        say("The upload stopped: " + reason + " Send the form again to resume it.");
      },
      onSuccess: function () {
        say(file.name + " is uploaded; checking it.");
        hidden.value = upload.url;
        input.value = ""; // the form carries the upload's address, not the file again
        form.submit();
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        say("Resuming the upload of " + file.name + ".");
      }
      upload.start();
    });
  });
})();
