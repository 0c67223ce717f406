// Tells Talkies a reader opened this story: one small request, no cookie,
// nothing about the reader in it (see the README's privacy note). Sent once
// the page is visible, so pages a browser pre-renders and nobody looks at
// are not counted.
(function () {
  "use strict";
  var beacon = document.querySelector("[data-read-beacon]");
  if (!beacon) return;
  var url = beacon.getAttribute("data-read-beacon");
  var sent = false;

  function send() {
    if (sent || document.visibilityState !== "visible") return;
    sent = true;
    if (navigator.sendBeacon && navigator.sendBeacon(url)) return;
    fetch(url, { method: "POST", keepalive: true, credentials: "omit" }).catch(function () {});
  }

  send();
  document.addEventListener("visibilitychange", send);
})();
