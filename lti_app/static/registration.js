// After dynamic registration, tell the LMS (which opened this page) that the tool is done.
document.querySelectorAll("[data-registration-done]").forEach(function (button) {
  function close() { (window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*"); }
  button.addEventListener("click", close);
});
