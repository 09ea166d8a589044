// "Print" buttons on printable pages (the CSP forbids inline handlers).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
