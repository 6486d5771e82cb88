// The shell's version and the files it is made of. One place for both, read by the page
// (`import "./shell.js"`) and by the service worker (`importScripts`), so this file is a
// plain script: no import or export. Bump `version` with every release that changes a
// file below; the service worker then installs the new shell and the page offers it.
self.NIIS_SHELL = {
  version: 5,
  files: [
    "/index.html",
    "/styles.css",
    "/manifest.webmanifest",
    "/icons/icon.svg",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
    "/icons/maskable-512.png",
    "/i18n/vi.json",
    "/i18n/en.json",
    "/js/shell.js",
    "/js/app.js",
    "/js/api.js",
    "/js/dom.js",
    "/js/i18n.js",
    "/js/router.js",
    "/js/store.js",
    "/js/outbox-db.js",
    "/js/outbox.js",
    "/js/screens/login.js",
    "/js/screens/home.js",
    "/js/screens/outbox.js",
    // The registry's screens.
    "/registry.css",
    "/js/registry-view.js",
    "/js/screens/search.js",
    "/js/screens/subject.js",
    "/js/screens/register.js",
    "/js/screens/correct.js",
    // The stock clerk's screens.
    "/js/screens/stock-kit.js",
    "/js/screens/stock.js",
    "/js/screens/stock-receive.js",
    "/js/screens/stock-transit.js",
    "/js/screens/stock-ship.js",
    "/js/screens/stock-count.js",
    "/js/screens/stock-alerts.js",
    // Parents, duplicate review, offline reading (screens-family).
    "/js/reading.js",
    "/js/records.js",
    "/js/screens/children.js",
    "/js/screens/child.js",
    "/js/screens/link.js",
    "/js/screens/duplicates.js",
    "/js/screens/facility.js",
    // The camera: photos of cards, kept offline until read.
    "/camera.css",
    "/js/camera.js",
    "/js/screens/scan.js",
    // Transfers between communes, duplicate reasons in the person's language (pwarest).
    "/transfer.css",
    "/js/transfer-view.js",
    "/js/review-view.js",
    "/js/screens/move.js",
    "/js/screens/transfer-request.js",
    "/js/screens/transfers.js",
    // Screening preview (issue 13).
    "/js/screens/screening.js",
    // Stock reports and open vials (stockui), the due list: their from–to form.
    "/js/range-form.js",
    "/stockui.css",
    "/js/screens/stock-usage.js",
    "/js/screens/stock-vials.js",
    // Due and overdue lists (issue 14).
    "/due.css",
    "/js/screens/due.js",
    // Vaccination records (issue 14): the history and forecast, record, historical, void.
    "/dose.css",
    "/js/dose-view.js",
    "/js/screens/dose.js",
    "/js/screens/dose-history.js",
    "/js/screens/dose-void.js",
    // Offline sync's double-dose reviews (issue 14).
    "/js/dose-review-view.js",
    "/js/screens/dose-reviews.js",
    // Vaccination certificates (SMART Health Cards).
    "/certificate.css",
    "/js/screens/certificate.js",
    "/js/screens/verify.js",
    // Stock adjustments, the stock card's reversals, min/max (stockleft).
    "/js/screens/stock-adjust.js",
    "/js/screens/stock-card.js",
    "/js/screens/stock-levels.js",
    // AEFI reports and lot hold (issue 14).
    "/aefi.css",
    "/js/aefi-view.js",
    "/js/screens/aefi-report.js",
    "/js/screens/aefi.js",
    "/js/screens/aefi-detail.js",
    // Sessions and campaigns (issue 14).
    "/sessions.css",
    "/js/session-view.js",
    "/js/screens/sessions.js",
    "/js/screens/session.js",
    "/js/screens/session-plan.js",
    "/js/screens/campaigns.js",
  ],
};
