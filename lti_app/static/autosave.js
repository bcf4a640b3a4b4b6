// Save an answer as the learner works on it, so a reload or a lost connection loses nothing.
(function () {
  "use strict";
  var timers = new WeakMap();
  function save(form) {
    var url = form.dataset.autosave;
    if (!url || url === "off") { return; }
    fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" }).catch(function () {
      /* offline: the answer stays in the page and is sent with "Check my answer" */
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.dataset.autosave) { return; }
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { save(form); }, 400));
  });
}());
