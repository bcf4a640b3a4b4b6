// Send a form that only carries data back to the LMS as soon as the page loads.
(function () {
  "use strict";
  var form = document.getElementById("auto-post");
  if (form) { form.submit(); }
}());
