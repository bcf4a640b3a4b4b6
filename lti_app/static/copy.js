// Copy buttons: each button[data-copy] copies the text of the element whose id it names.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var done = button.getAttribute("data-done") || "Copied";
    var label = button.textContent;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = done;
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
});
