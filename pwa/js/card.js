// The subject card page's print button (a file, not an inline handler: the
// Content-Security-Policy allows no inline script).
document.getElementById("print")?.addEventListener("click", () => window.print());
