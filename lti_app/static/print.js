// The guide's print button (inline handlers are not allowed by the page's CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
