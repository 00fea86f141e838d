/* global document, window */
// The little script of the customer pages: a kiosk form starts over after a while untouched,
// and a form inside a site's pop-up tells the site when the customer has joined.
(function () {
  var body = document.body;
  var idle = Number(body.getAttribute('data-idle-seconds'));
  var home = body.getAttribute('data-home');
  if (idle > 0 && home) {
    var timer;
    var restart = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.replace(home); }, idle * 1000);
    };
    ['pointerdown', 'keydown', 'input', 'touchstart'].forEach(function (type) { document.addEventListener(type, restart, { passive: true }); });
    restart();
  }
  var joined = body.getAttribute('data-joined');
  if (joined && window.parent !== window) window.parent.postMessage({ type: 'patron.joined', customer: joined }, '*');
})();
