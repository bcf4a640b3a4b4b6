// LTI Platform Storage (1EdTech Client Side postMessages): keep the login state in the
// LMS's own frame when the browser will not keep the tool's cookies inside the iframe.
(function () {
  "use strict";
  var box = document.getElementById("platform-storage");
  if (!box) { return; }
  var data = box.dataset;
  var targetWindow = data.target === "_parent" ? window.parent : (window.parent.frames[data.target] || window.parent);
  var counter = 0;

  function send(subject, fields) {
    return new Promise(function (resolve, reject) {
      var id = "milclicks-" + Date.now() + "-" + (counter += 1);
      var timer = setTimeout(function () { cleanup(); reject(new Error("timeout")); }, 4000);
      function onMessage(event) {
        var msg = event.data || {};
        if (event.origin !== data.origin || msg.message_id !== id || msg.subject !== subject + ".response") { return; }
        cleanup();
        if (msg.error) { reject(new Error(msg.error.code || "error")); } else { resolve(msg); }
      }
      function cleanup() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      window.addEventListener("message", onMessage);
      var message = Object.assign({ subject: subject, message_id: id }, fields);
      targetWindow.postMessage(message, data.origin);
    });
  }

  function fail() {
    box.classList.remove("loading");
    var failed = box.querySelector(".storage-failed");
    if (failed) { failed.hidden = false; }
  }

  if (data.mode === "put") {
    Promise.all([
      send("lti.put_data", { key: "state_" + data.state, value: data.state }),
      send("lti.put_data", { key: "nonce_" + data.nonce, value: data.nonce })
    ]).catch(function () { /* the partitioned cookie may still carry the state */ })
      .then(function () { window.location.assign(data.next); });
  } else if (data.mode === "get") {
    send("lti.get_data", { key: "state_" + data.state }).then(function (msg) {
      if (msg.value !== data.state) { throw new Error("state differs"); }
      document.getElementById("storage-confirm").submit();
    }).catch(fail);
  }
}());
